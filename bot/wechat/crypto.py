"""Authenticate, decrypt and parse WeChat webhook requests; render and seal replies.

wechatpy does the AES and the message registry. We do the parts it gets wrong
for a public endpoint: constant-time signature checks, a timestamp window, no
XML parsing of hostile input beyond a safe, entity-free parser, and errors
that map to 400/403 instead of exceptions that become 500s.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy import parse_message
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.utils import WeChatSigner

from ..messages import Inbound

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
# Characters XML 1.0 forbids; stripped from replies so text cannot break them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAX_REPLY_BYTES = 2000  # WeChat rejects passive text replies over 2048 bytes
# ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_MSG_ID = re.compile(r"[0-9]{1,24}")
# Bounds that keep every stored field inside its column (dedupe key <= 400).
_LIMITS = {"FromUserName": 128, "ToUserName": 128, "MsgType": 32, "Event": 64, "EventKey": 200}


class WebhookError(Exception):
    """A request we refuse. `status` is the HTTP status; `reason` is for logs
    (English, never the message text)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def sign(*parts: str) -> str:
    """WeChat's signature: sha1 of the sorted parts."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def _same(expected: str, given: str | None) -> bool:
    if not given:
        return False
    try:
        return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii"))
    except UnicodeEncodeError:
        return False


@dataclass
class Opened:
    inbound: Inbound
    encrypted: bool
    plaintext: str


class Gate:
    """Everything between the HTTP request and our `Inbound` type."""

    def __init__(self, token: str, app_id: str, aes_key: str | None = None,
                 window: int = 300, clock: Callable[[], float] = time.time):
        self.token = token
        self.app_id = app_id
        self.aes_key = aes_key
        self.window = window
        self.clock = clock
        self._key = base64.b64decode(aes_key + "=") if aes_key else None

    @property
    def safe_mode(self) -> bool:
        return self._key is not None

    # -- authentication ---------------------------------------------------
    def _check_time(self, query: Mapping[str, str]) -> tuple[str, str]:
        timestamp, nonce = query.get("timestamp") or "", query.get("nonce") or ""
        if not _TIMESTAMP.fullmatch(timestamp) or not nonce or len(nonce) > 64:
            raise WebhookError(403, "missing or malformed timestamp/nonce")
        if abs(self.clock() - int(timestamp)) > self.window:
            raise WebhookError(403, "timestamp outside the allowed window")
        return timestamp, nonce

    def _check_plain_signature(self, query: Mapping[str, str], timestamp: str, nonce: str) -> None:
        if not _same(sign(self.token, timestamp, nonce), query.get("signature")):
            raise WebhookError(403, "bad signature")

    def verify_url(self, query: Mapping[str, str]) -> str:
        """GET verification: return the echostr to send back."""
        timestamp, nonce = self._check_time(query)
        echostr = query.get("echostr") or ""
        if not echostr or len(echostr) > 1024:
            raise WebhookError(400, "missing echostr")
        if query.get("msg_signature"):
            # WeCom-style verification: the echostr itself is encrypted.
            if not _same(sign(self.token, timestamp, nonce, echostr), query.get("msg_signature")):
                raise WebhookError(403, "bad msg_signature")
            if self._key is None:
                raise WebhookError(400, "encrypted echostr but no EncodingAESKey configured")
            return self._decrypt(echostr)
        self._check_plain_signature(query, timestamp, nonce)
        return echostr

    # -- opening a message ------------------------------------------------
    def open(self, query: Mapping[str, str], body: bytes) -> Opened:
        timestamp, nonce = self._check_time(query)
        encrypted = bool(query.get("msg_signature")) or query.get("encrypt_type") == "aes"
        if query.get("signature") or not encrypted:
            self._check_plain_signature(query, timestamp, nonce)
        if self.safe_mode and not encrypted:
            raise WebhookError(403, "plaintext message while the account is in safe mode")
        outer = _parse_xml(body)
        if encrypted:
            if self._key is None:
                raise WebhookError(400, "encrypted message but no EncodingAESKey configured")
            cipher = outer.get("Encrypt")
            if not isinstance(cipher, str) or not cipher:
                raise WebhookError(400, "no Encrypt element")
            if not _same(sign(self.token, timestamp, nonce, cipher), query.get("msg_signature")):
                raise WebhookError(403, "bad msg_signature")
            plaintext = self._decrypt(cipher)
            fields = _parse_xml(plaintext.encode("utf-8"))
        else:
            try:
                plaintext = body.decode("utf-8")
            except UnicodeDecodeError:
                raise WebhookError(400, "body is not UTF-8") from None
            fields = outer
        return Opened(_to_inbound(fields, plaintext), encrypted, plaintext)

    def _decrypt(self, cipher: str) -> str:
        try:
            raw = base64.b64decode(cipher, validate=True)
        except (binascii.Error, ValueError):
            raise WebhookError(400, "Encrypt is not valid base64") from None
        if not raw or len(raw) % 16:
            raise WebhookError(400, "Encrypt has a bad block length")
        try:
            return PrpCrypto(self._key).decrypt(cipher, self.app_id)
        except InvalidAppIdException:
            raise WebhookError(400, "message is for another AppId") from None
        except Exception:  # bad padding, length or encoding: all hostile input
            raise WebhookError(400, "Encrypt does not decrypt") from None

    # -- replies ------------------------------------------------------------
    def seal(self, reply_xml: str, opened: Opened, nonce: str) -> str:
        """Encrypt the reply when the request came encrypted."""
        if not opened.encrypted:
            return reply_xml
        crypto = WeChatCrypto(self.token, self.aes_key, self.app_id)
        return crypto.encrypt_message(reply_xml, nonce, str(int(self.clock())))

    def encrypt_for_test(self, plaintext: str, nonce: str, timestamp: str) -> tuple[str, str]:
        """(body, msg_signature) as WeChat would send them; for simulate and tests."""
        cipher = PrpCrypto(self._key).encrypt(plaintext, self.app_id).decode("ascii")
        body = f"<xml><ToUserName><![CDATA[gh_liaison]]></ToUserName><Encrypt><![CDATA[{cipher}]]></Encrypt></xml>"
        return body, sign(self.token, timestamp, nonce, cipher)

    def decrypt_reply(self, reply: str) -> str:
        """The plaintext of one of our sealed replies; for simulate and tests."""
        fields = _parse_xml(reply.encode("utf-8"))
        return self._decrypt(fields["Encrypt"])


def _parse_xml(body: bytes) -> dict[str, Any]:
    """Parse a flat <xml> document with no DTD, entities or external references."""
    if _DTD.search(body):
        raise WebhookError(400, "DOCTYPE or ENTITY declarations are not accepted")
    try:
        doc = xmltodict.parse(body, disable_entities=True)
    except (ExpatError, ValueError, TypeError, RecursionError):
        raise WebhookError(400, "malformed XML") from None
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise WebhookError(400, "root element is not <xml>")
    return root


def _text(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None or isinstance(value, str):
        return value
    raise WebhookError(400, f"field {name} is not plain text")


_NESTED_OK = {"ScanCodeInfo", "SendPicsInfo", "SendLocationInfo", "CopyrightCheckResult"}


def _to_inbound(fields: Mapping[str, Any], plaintext: str) -> Inbound:
    flat: dict[str, str] = {}
    for name in fields:
        if name in _NESTED_OK:
            continue
        value = _text(fields, name)
        if value is not None:
            flat[name] = value
    msg_type = flat.get("MsgType", "").strip().lower()
    openid = flat.get("FromUserName", "")
    create = flat.get("CreateTime", "")
    if not msg_type or not openid or not _TIMESTAMP.fullmatch(create) or not flat.get("ToUserName"):
        raise WebhookError(400, "MsgType, FromUserName, ToUserName or CreateTime missing or malformed")
    for name, limit in _LIMITS.items():
        if len(flat.get(name) or "") > limit:
            raise WebhookError(400, f"field {name} is too long")
    if flat.get("MsgId") and not _MSG_ID.fullmatch(flat["MsgId"]):
        raise WebhookError(400, "MsgId is not a number")
    try:
        wx = parse_message(plaintext)
    except Exception:
        raise WebhookError(400, "message does not parse") from None
    event = scene = event_key = None
    if msg_type == "event":
        event = (flat.get("Event") or "").lower() or "unknown"
        event_key = flat.get("EventKey")
        if event in ("subscribe", "scan") and getattr(wx, "scene_id", None):
            scene = str(wx.scene_id)
    msg_id = flat.get("MsgId") or None
    content = flat.get("Content") if msg_type == "text" else None
    if msg_type == "voice":
        content = flat.get("Recognition") or None
    return Inbound(
        msg_type=msg_type, openid=openid, account=flat["ToUserName"], create_time=int(create),
        msg_id=msg_id, event=event, content=content, scene=scene, event_key=event_key,
        media_id=flat.get("MediaId"), fields=flat,
    )


def render_text_reply(to_openid: str, account: str, content: str, now: int) -> str:
    """A passive text reply whose content cannot break out of its CDATA."""
    return (
        "<xml>"
        f"<ToUserName>{_cdata(to_openid)}</ToUserName>"
        f"<FromUserName>{_cdata(account)}</FromUserName>"
        f"<CreateTime>{int(now)}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(_fit(content))}</Content>"
        "</xml>"
    )


def _cdata(text: str) -> str:
    text = _XML_INVALID.sub("", text)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _fit(text: str) -> str:
    data = text.encode("utf-8")
    if len(data) <= _MAX_REPLY_BYTES:
        return text
    return data[: _MAX_REPLY_BYTES - 3].decode("utf-8", "ignore") + "…"
