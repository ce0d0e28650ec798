"""Handlers: plain functions (Context, Inbound) -> Outcome (bot/services/outcome.py). No commits, no network."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..services.station import Station


@dataclass
class Context:
    session: Session
    now: datetime
    # Given by the web layer: bot.ratelimit.RedisLimiter and services.phones.PhoneBox.
    limiter: Any = None
    phones: Any = None
    # Staff on WeChat (urgent opinions reach them at once), offices, county/city
    # People's Congress offices and the SLA (from settings).
    station: Station = field(default_factory=Station)
