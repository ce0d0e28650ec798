"""The outbox: one row per push, so a re-run task never sends twice."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, SealedJSON, utcnow


class PushStatus(StrEnum):
    """pending -> sending -> sent | failed; unknown when a send may or may not have
    reached WeChat (a read timeout): never re-sent automatically, left for staff.
    A new-ticket push beyond a deputy's burst is held, then digested: listed in
    one digest push (services/outbox/digest.py) instead of sent on its own."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    HELD = "held"
    DIGESTED = "digested"


PUSH_STATUSES = tuple(PushStatus)


class OutboundPush(Base):
    __tablename__ = "outbound_pushes"
    # A deputy receives a push per ticket for years: the digest asks for their recent pushes
    # of one kind (services/outbox/digest.py), which this finds without reading the rest.
    __table_args__ = (Index("ix_outbound_pushes_recipient_kind_created", "recipient_openid", "kind", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # At most one push per (subject, event, recipient), e.g. "ticket:7:assigned:oXYZ".
    dedupe_key: Mapped[str] = mapped_column(String(400), unique=True)
    recipient_openid: Mapped[str]
    kind: Mapped[str] = mapped_column(String(64))
    # The push's text, title and template fields (a ticket's words, a voter's name): sealed at rest.
    payload: Mapped[dict[str, Any]] = mapped_column(SealedJSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=PushStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str | None] = mapped_column(String(32))
    wechat_msgid: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    # When the outbox sweep may enqueue this pending push (again): after a retry
    # backoff, or a while after the last enqueue, so the queue never fills with copies.
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]


class ContactWindow(Base):
    """WeChat's customer-service window of one user: free-form messages are
    allowed for 48 hours after their last message, and only a few per window."""

    __tablename__ = "contact_windows"
    openid: Mapped[str] = mapped_column(primary_key=True)
    last_inbound_at: Mapped[datetime]
    # Customer-service messages sent since last_inbound_at.
    sent_in_window: Mapped[int] = mapped_column(default=0)
