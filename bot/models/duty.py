"""The duty record (履职档案): one row per thing a deputy did, whoever or
whatever recorded it, with the evidence it came from."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SealedText, utcnow
from .roster import Deputy

# The ten "十个一" kinds, in the order of the rules (services/duty/items.py names them).
ITEM_KINDS = ("reception", "visit", "study", "inspection", "relief", "good_deed", "mediation", "exchange",
              "suggestion", "report")
# Other work the record holds but the ten items do not count: opinions handled,
# notices sent to voters, duties during sessions.
OTHER_KINDS = ("casework", "broadcast", "session")
DUTY_KINDS = ITEM_KINDS + OTHER_KINDS
# auto: the system saw it happen; deputy: the deputy reported it in WeChat; staff: entered in the console or CLI.
DUTY_SOURCES = ("auto", "deputy", "staff")


class DutyActivity(Base):
    """One activity. `evidence` names what it came from ("ticket:12:resolved",
    "reception-duty:7", "inbound:88"): unique per deputy, so a retried task or a
    second check-in records nothing new. `counts` is False for what needs
    staff's word before it counts (an escalated opinion becomes a formal
    suggestion, item 9, only when staff mark it)."""

    __tablename__ = "duty_activities"
    __table_args__ = (UniqueConstraint("deputy_id", "evidence", name="uq_duty_activities_evidence"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    # Who took part or was visited: personal data, sealed at rest like tickets' text.
    people: Mapped[str] = mapped_column(SealedText, default="")
    note: Mapped[str] = mapped_column(SealedText, default="")
    # Media ids saved with the activity (photos, a voice note).
    photos: Mapped[list[Any]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(16))
    entered_by: Mapped[str | None] = mapped_column(String(64))
    evidence: Mapped[str | None] = mapped_column(String(80))
    counts: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deputy: Mapped[Deputy] = relationship()
