"""Handlers: plain functions (Context, Inbound) -> Result. No commits, no network."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..jobs import DELIVER_PUSH
from ..services.station import Station


@dataclass
class Context:
    session: Session
    now: datetime
    # Given by the web layer: bot.ratelimit.RedisLimiter and services.phones.PhoneBox.
    limiter: Any = None
    phones: Any = None
    # Station staff on WeChat: urgent opinions reach them at once.
    staff_openids: tuple[str, ...] = ()
    # Offices, county/city People's Congress offices and the SLA (from settings).
    station: Station = field(default_factory=Station)


@dataclass
class Result:
    reply: str | None = None
    ticket_id: int | None = None
    # (task name, args) to enqueue after the commit.
    follow_ups: list[tuple[str, tuple]] = field(default_factory=list)

    def push(self, push_id: int | None) -> "Result":
        if push_id is not None:
            self.follow_ups.append((DELIVER_PUSH, (push_id,)))
        return self
