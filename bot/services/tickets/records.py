"""Opening tickets: numbering, assignment and the audit trail."""
from __future__ import annotations

import os
from datetime import datetime

from sqlalchemy import Engine, create_engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...models import Ticket, TicketCounter, TicketEvent, TicketStatus, Voter
from ..calendar.local_time import BEIJING
from .assignment import Assignment
from .classify import Classification


def next_number(session: Session, year: int) -> str:
    """The next ticket number of the year, like 2026-000123.

    On PostgreSQL the counter moves in a transaction of its own, committed at
    once, so concurrent tickets never wait for each other's commit; like a
    sequence, a number taken by a message that then fails is skipped. SQLite
    has one writer at a time anyway: there the counter moves in this transaction."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        with _counter_engine(bind.engine).connect() as conn:
            last = conn.execute(
                pg_insert(TicketCounter).values(year=year, last=1)
                .on_conflict_do_update(index_elements=[TicketCounter.year], set_={"last": TicketCounter.last + 1})
                .returning(TicketCounter.last)).scalar_one()
        return f"{year}-{last:06d}"
    if session.get(TicketCounter, year) is None:
        try:
            with session.begin_nested():
                session.add(TicketCounter(year=year, last=0))
        except IntegrityError:
            pass  # another transaction created it first
    last = session.execute(
        update(TicketCounter).where(TicketCounter.year == year)
        .values(last=TicketCounter.last + 1).returning(TicketCounter.last)
    ).scalar_one()
    return f"{year}-{last:06d}"


_COUNTERS: dict[tuple[int, str], Engine] = {}  # (process, database) -> the counter's own pool


def _counter_engine(engine: Engine) -> Engine:
    """A small autocommit pool of its own for the counter: a request already holds
    a connection of the main pool, so asking that pool for a second one could wait
    on every other request doing the same. These connections are held for one
    statement and wait on nobody. One per process (a forked worker makes its own)."""
    key = (os.getpid(), engine.url.render_as_string(hide_password=False))
    found = _COUNTERS.get(key)
    if found is None:
        found = _COUNTERS[key] = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_size=2,
                                               max_overflow=8, pool_pre_ping=True, hide_parameters=True)
    return found


def open_ticket(session: Session, *, voter: Voter, text: str, classification: Classification,
                assignment: Assignment, now: datetime, urgent: bool = False,
                needs_triage: bool = False, reported_by: str | None = None, report_note: str = "") -> Ticket:
    """`reported_by`: who filed it when not the voter themselves (a deputy's visit: "deputy:7",
    with `report_note` saying so), recorded on the "created" event."""
    ticket = Ticket(
        number=next_number(session, now.astimezone(BEIJING).year), text=text, category=classification.category,
        confidence=classification.confidence, office=classification.office, level=classification.level,
        status=TicketStatus.NEW, urgent=urgent,
        needs_triage=needs_triage or assignment.deputy is None,
        voter_id=voter.id, deputy_id=assignment.deputy.id if assignment.deputy else None,
        site_id=assignment.site_id, village_id=voter.village_id, created_at=now, updated_at=now,
        sla_started_at=now,
    )
    session.add(ticket)
    session.flush()
    record(session, ticket, "created", reported_by or f"voter:{voter.id}", now, report_note)
    if assignment.deputy is not None:
        note = f"{assignment.deputy.name}（{_REASONS[assignment.reason]}）"
        record(session, ticket, "assigned", "system", now, note)
    else:
        record(session, ticket, "triage", "system", now, "无可联系的代表，进入工作人员分派队列")
    return ticket


_REASONS = {"group": "联系选民群代表", "site": "站点值班代表", "visit": "走访时代为反映的代表"}


def record(session: Session, ticket: Ticket, kind: str, actor: str, now: datetime, note: str = "") -> TicketEvent:
    event = TicketEvent(ticket_id=ticket.id, kind=kind, actor=actor, note=note, created_at=now)
    session.add(event)
    return event


def note(session: Session, ticket: Ticket, actor: str, now: datetime, text: str) -> TicketEvent:
    """An internal note: a "note" event for the console's timeline. Never pushed,
    and no answer to a voter or deputy on WeChat lists events."""
    text = text.strip()
    if not text:
        raise ValueError("an empty note")
    event = record(session, ticket, "note", actor, now, text[:2000])
    session.flush()
    return event


def by_number(session: Session, number: str) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.number == number))
