"""Every message or event WeChat delivered, stored once."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, SealedJSON, SealedText, utcnow


class InboundMessage(Base):
    __tablename__ = "inbound_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    # openid + MsgId (events: openid + CreateTime + Event + EventKey). The unique
    # constraint is the guarantee behind the Redis fast path.
    dedupe_key: Mapped[str] = mapped_column(String(400), unique=True)
    openid: Mapped[str] = mapped_column(index=True)
    msg_type: Mapped[str] = mapped_column(String(64))
    event: Mapped[str | None] = mapped_column(String(64))
    msg_id: Mapped[str | None] = mapped_column(String(64))
    # What the voter wrote, and the rest of the message (a location's address, media ids): sealed at rest.
    content: Mapped[str | None] = mapped_column(SealedText)
    extra: Mapped[dict[str, Any]] = mapped_column(SealedJSON, default=dict)
    # The passive reply we gave, so a repeat delivery gets the same answer.
    reply: Mapped[str | None] = mapped_column(SealedText)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # Over the sender's rate limit (bot/web/flood.py): stored for staff, not dispatched.
    throttled: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When retention dropped its words and payload (a sealed {} cannot be told from a full one in SQL).
    raw_dropped_at: Mapped[datetime | None] = mapped_column(index=True)
