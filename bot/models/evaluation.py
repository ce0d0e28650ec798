"""The yearly evaluation (考评): the deputy's self-assessment and the
organisation's assessment per deputy per year, and the voters' poll (选民测评)
with its ballots kept apart from who cast them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SealedJSON, SealedText
from .roster import Deputy

GRADES = ("优秀", "称职", "基本称职", "不称职")
POLL_STATUSES = ("open", "closed")
CHOICES = ("满意", "基本满意", "不满意")


class DutyEvaluation(Base):
    """One deputy's year: the self-assessment and the organisation's, each with
    a 0-100 score, a grade and a text, and who entered it when (a deputy on
    their phone page, or a clerk on their behalf)."""

    __tablename__ = "duty_evaluations"
    __table_args__ = (UniqueConstraint("deputy_id", "year", name="uq_duty_evaluations_deputy_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    self_score: Mapped[int | None]
    self_grade: Mapped[str | None] = mapped_column(String(8))
    self_text: Mapped[str] = mapped_column(SealedText, default="")
    self_by: Mapped[str | None] = mapped_column(String(64))
    self_at: Mapped[datetime | None]
    org_score: Mapped[int | None]
    org_grade: Mapped[str | None] = mapped_column(String(8))
    org_text: Mapped[str] = mapped_column(SealedText, default="")
    org_by: Mapped[str | None] = mapped_column(String(64))
    org_at: Mapped[datetime | None]

    deputy: Mapped[Deputy] = relationship()


class DutyPoll(Base):
    """The voters' poll of one year, opened and closed by staff."""

    __tablename__ = "duty_polls"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    status: Mapped[str] = mapped_column(String(8))
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]


# Anonymity. Who voted and what was voted are kept apart: the receipt knows
# the voter but not the choice, the ballot the choice but not the voter, and
# neither carries a time, a sequence or anything else to join them on.
#
# The voter's own transaction writes only the receipt and a PollPending row:
# poll, deputy, choice and comment sealed together in one payload, a random key,
# no voter. A batch (jobs/tasks.poll_batch every minute, and at the start of
# closing the poll) moves pending rows into ballots in its own transaction,
# in shuffled order, only when at least BATCH_MIN (5) are pending for the poll
# (when closing: all of them), deleting them in that same transaction. So on
# PostgreSQL no visible ballot shares its xmin with a receipt (or with the
# voter's stored message), every ballot of a batch has the same xmin, and the
# ballots' physical order says nothing about the order of the votes; on SQLite
# the ballot and pending tables have no rowid.
#
# What is NOT protected: until the next batch, a database reader with SELECT can
# tie a receipt (by xmin, or by timing) to a pending row, whose payload is sealed
# -- so whoever also holds the application key (LIAISON's sealing key) can read
# a voter's choice during that window. Dead pending tuples stay readable to a
# superuser with page-inspection tools until VACUUM. With fewer than 5 voters
# in a batch the shuffle hides less; results are only shown once the poll is
# closed, per deputy, from 5 ballots up.
class PollReceipt(Base):
    """That this voter has rated this deputy in this poll: one per (poll, voter, deputy)."""

    __tablename__ = "duty_poll_receipts"
    __table_args__ = (UniqueConstraint("poll_id", "voter_id", "deputy_id", name="uq_duty_poll_receipts_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("duty_polls.id"), index=True)
    voter_id: Mapped[int] = mapped_column(ForeignKey("voters.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"))


class PollBallot(Base):
    """What was voted, by nobody in particular (no voter, no time)."""

    __tablename__ = "duty_poll_ballots"
    __table_args__ = {"sqlite_with_rowid": False}
    # A random token (secrets.token_hex), never a sequence.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("duty_polls.id"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("deputies.id"), index=True)
    choice: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(SealedText, default="")


class PollPending(Base):
    """A vote waiting for the next batch into ballots: no voter, no time, and
    the deputy, choice and comment sealed in one payload (see above)."""

    __tablename__ = "duty_poll_pending"
    __table_args__ = {"sqlite_with_rowid": False}
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # secrets.token_hex, never a sequence
    poll_id: Mapped[int] = mapped_column(ForeignKey("duty_polls.id"), index=True)
    sealed: Mapped[dict] = mapped_column(SealedJSON)  # {"deputy_id", "choice", "comment"}
