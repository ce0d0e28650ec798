"""Our own message types, so nothing above bot/wechat sees wechatpy objects."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Inbound:
    """One message or event from a WeChat user, already authenticated."""

    msg_type: str  # text, voice, image, location, link, video, event, or the raw unknown type
    openid: str
    account: str  # ToUserName: our official account's id
    create_time: int
    msg_id: str | None = None
    event: str | None = None  # subscribe, unsubscribe, scan, click, view, location, ...
    content: str | None = None  # text, or voice recognition
    scene: str | None = None  # QR scene of subscribe/scan events
    event_key: str | None = None
    media_id: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)  # the rest, as plain strings

    @property
    def dedupe_key(self) -> str:
        if self.msg_id:
            return f"{self.openid}:{self.msg_id}"
        return f"{self.openid}:{self.create_time}:{self.event or self.msg_type}:{self.event_key or ''}"


@dataclass(frozen=True)
class Outgoing:
    """A push to one user: free text, with a template form for when the
    customer-service window is closed."""

    openid: str
    text: str
    title: str = ""
    fields: tuple[tuple[str, str], ...] = ()
    # custom: inside the 48-hour window; template: outside it or its budget spent;
    # auto: unknown, try custom and fall back to a template if WeChat refuses.
    channel: str = "auto"


@dataclass(frozen=True)
class SendResult:
    channel: str  # custom, template, sandbox
    msgid: str | None = None


class DeliveryError(Exception):
    """A push failed. `retryable` says whether sending again is safe and useful;
    `ambiguous` says WeChat may have delivered it anyway (never resend)."""

    def __init__(self, reason: str, *, code: int | None = None, retryable: bool = False,
                 ambiguous: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.retryable = retryable
        self.ambiguous = ambiguous
