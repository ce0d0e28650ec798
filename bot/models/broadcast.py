"""Broadcasts (通知): staff notices to many people, and one delivery row per
recipient so a killed worker neither sends twice nor skips anyone."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class BroadcastStatus(StrEnum):
    """draft -> scheduled -> sending -> done; paused and cancelled by staff."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


class DeliveryStatus(StrEnum):
    """pending -> sending -> sent | failed | unknown; skipped when not reachable."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    UNKNOWN = "unknown"


BROADCAST_STATUSES = tuple(BroadcastStatus)
DELIVERY_STATUSES = tuple(DeliveryStatus)
TARGET_KINDS = ("all", "sites", "villages", "groups", "deputies")


class Broadcast(Base):
    __tablename__ = "broadcasts"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(default="")
    text: Mapped[str] = mapped_column(Text)
    # Template message id for recipients outside the 48-hour window (else the setting).
    template_id: Mapped[str | None] = mapped_column(String(128))
    # {"kind": one of TARGET_KINDS, "codes": [...]}
    targets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scheduled_at: Mapped[datetime | None]
    author: Mapped[str] = mapped_column(default="")
    status: Mapped[str] = mapped_column(String(16), default=BroadcastStatus.DRAFT, index=True)
    # Publicity-day drafts are prefilled once per (campaign, year).
    campaign_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Recipients staged so far (delivery rows are built in batches by person id).
    staged_voter_id: Mapped[int] = mapped_column(default=0)
    staged_deputy_id: Mapped[int] = mapped_column(default=0)
    staged: Mapped[bool] = mapped_column(default=False)
    pause_reason: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class BroadcastDelivery(Base):
    __tablename__ = "broadcast_deliveries"
    __table_args__ = (UniqueConstraint("broadcast_id", "openid"),
                      Index("ix_broadcast_deliveries_queue", "broadcast_id", "status", "id"),
                      # A person's deliveries across broadcasts: skipped when they unsubscribe, erased on request.
                      Index("ix_broadcast_deliveries_openid", "openid"))
    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id"))
    openid: Mapped[str] = mapped_column(String(64))
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("voters.id"))
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("deputies.id"))
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    reason: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime | None]
    # The sender run that claimed the row; its journal says what became of it.
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
