"""Opinion tickets (意见工单) and their audit trail."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, event, false, insert, inspect, text
from sqlalchemy import delete as sql_delete
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from .base import Base, SealedText, cipher_of, utcnow
from .roster import Deputy, Site, Village, Voter


class TicketStatus(StrEnum):
    """Stored as these strings (the column is a plain string); services/tickets/lifecycle.py moves between them."""

    NEW = "new"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    REPLIED = "replied"
    TRANSFERRED = "transferred"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    RATED = "rated"
    CLOSED = "closed"
    REOPENED = "reopened"
    MERGED = "merged"
    REJECTED = "rejected"


TICKET_STATUSES = tuple(TicketStatus)
# Not yet finished: the deputy (or whoever it was escalated to) still owes a result.
OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS, TicketStatus.REPLIED,
                 TicketStatus.TRANSFERRED, TicketStatus.ESCALATED, TicketStatus.REOPENED)


class TicketCounter(Base):
    """Last ticket sequence number used per year (numbers like 2026-000123)."""

    __tablename__ = "ticket_counters"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    # The request path asks for a person's or a place's open tickets among years of closed
    # ones: each index leads with who or where and ends with the status, so the open
    # ones are found without reading the history (tests/integration/webhook/test_query_plans.py).
    __table_args__ = (
        Index("ix_tickets_deputy_id_status", "deputy_id", "status"),  # a deputy's "我的工单"
        Index("ix_tickets_escalated_to_id_status", "escalated_to_id", "status"),  # ... and what was escalated to them
        Index("ix_tickets_village_category_status", "village_id", "category", "status"),  # duplicates.find
        # Only the duplicates: "duplicate_of_id IS NULL" (nearly every ticket) can then never pick it.
        Index("ix_tickets_duplicate_of_id", "duplicate_of_id", sqlite_where=text("duplicate_of_id IS NOT NULL"),
              postgresql_where=text("duplicate_of_id IS NOT NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(unique=True)
    # The voter's words, sealed at rest (models/base.py); staff search them through ticket_terms.
    text: Mapped[str] = mapped_column(SealedText)
    category: Mapped[str]
    confidence: Mapped[float]
    # Suggested handling office (站所) and level: township, or county when
    # the matter is beyond township authority.
    office: Mapped[str] = mapped_column(default="")
    level: Mapped[str] = mapped_column(String(16), default="township")
    status: Mapped[str] = mapped_column(default=TicketStatus.NEW, index=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    # Unassigned or low-confidence tickets wait in the staff triage queue.
    needs_triage: Mapped[bool] = mapped_column(default=False, index=True)
    # Stays with the station staff, never a deputy: it accuses its deputy, is about discipline or
    # the law, or the voter asked not to be named (services/tickets/confidential.py).
    # No index of its own: every query asks for the non-confidential side, nearly all rows.
    confidential: Mapped[bool] = mapped_column(default=False, server_default=false())
    confidential_reason: Mapped[str] = mapped_column(String(64), default="", server_default="")
    voter_id: Mapped[int] = mapped_column(ForeignKey("voters.id"), index=True)
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("deputies.id"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    # The deputy one level up the "3+10" chain it was escalated (上报) to, who may act on it too.
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("deputies.id"))
    # Where it is: a location the voter sent (label and coordinates).
    place: Mapped[str | None] = mapped_column(SealedText)
    # A duplicate is linked to the open ticket it repeats; handling that one handles both.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # When the SLA clocks started: opening, or the voter reopening it.
    sla_started_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(SealedText)
    # When its words were overwritten (erased on request or past retention): sealed text
    # cannot be compared with the marker in SQL, so retention asks this column.
    anonymised_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    voter: Mapped[Voter] = relationship()
    deputy: Mapped[Deputy | None] = relationship(foreign_keys=[deputy_id])
    escalated_to: Mapped[Deputy | None] = relationship(foreign_keys=[escalated_to_id])
    site: Mapped[Site | None] = relationship()
    village: Mapped[Village | None] = relationship()
    events: Mapped[list[TicketEvent]] = relationship(back_populates="ticket", order_by="TicketEvent.id")


class TicketEvent(Base):
    """One entry of a ticket's audit trail: who did what, when."""

    __tablename__ = "ticket_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str]
    actor: Mapped[str]
    # Replies, notes, follow-ups, places and media of the ticket: sealed like its text.
    note: Mapped[str] = mapped_column(SealedText, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class LabelledExample(Base):
    """A message with its right category, from staff correcting the classifier;
    `liaison nlp train --include-corrections` learns from these."""

    __tablename__ = "labelled_examples"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(SealedText)
    label: Mapped[str]
    predicted: Mapped[str] = mapped_column(default="")
    source: Mapped[str] = mapped_column(String(32), default="staff_correction")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    created_by: Mapped[str] = mapped_column(default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TicketTerm(Base):
    """The blind index of a ticket's text: keyed hashes of its characters and
    character pairs (bot/fieldseal.py), so staff can search sealed text."""

    __tablename__ = "ticket_terms"
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


def write_terms(connection: Connection, ticket_id: int, text: str | None, replace: bool = True) -> int:
    """Replace a ticket's index terms with those of `text` (a new ticket has none to replace); how many."""
    if replace:
        connection.execute(sql_delete(TicketTerm).where(TicketTerm.ticket_id == ticket_id))
    terms = sorted(cipher_of(connection.dialect).terms(text or ""))
    if terms:
        connection.execute(insert(TicketTerm), [{"ticket_id": ticket_id, "term": t} for t in terms])
    return len(terms)


# Whatever writes a ticket's text, the index follows in the same transaction.
@event.listens_for(Ticket, "after_insert")
def _index_new(_mapper: Mapper, connection: Connection, ticket: Ticket) -> None:
    write_terms(connection, ticket.id, ticket.text, replace=False)


@event.listens_for(Ticket, "after_update")
def _index_changed(_mapper: Mapper, connection: Connection, ticket: Ticket) -> None:
    if inspect(ticket).attrs.text.history.has_changes():
        write_terms(connection, ticket.id, ticket.text)
