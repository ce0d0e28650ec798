"""A second look at the category of a ticket the classifier was unsure of.

The webhook files the ticket with the fast model's category; a worker then asks
the refiner (bot/nlp/refine.py: the full sentence encoder beside the fast
model) and, when it disagrees, moves the ticket to the new category, its
office and level, records why ("分类由 X 调整为 Y"), and tells the assigned
deputy only if where the matter should go changed. A ticket a person already
moved (accepted, re-categorised, assigned, merged, closed) or that stays with
the staff (confidential) is left alone; a second run does nothing. An answer
the refiner is itself unsure of moves the category silently (the ticket stays
in the staff's triage queue): only a sure one tells the deputy.

Two steps, so the encoder never runs inside the locked transaction:
`text_to_refine` (a read) and `apply` (locks, checks again, changes, flushes).
"""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...models import Ticket, TicketEvent, TicketStatus
from ...nlp.routing import route
from .. import texts
from ..outbox import notify
from ..outcome import Outcome
from .classify import OTHER, categories
from .records import record

KIND = "refined"  # the ticket event; its presence makes a re-run do nothing
ACTOR = "system:refiner"
PUSH_KIND = "ticket_refined"
# Event actors that are a person: once one has touched the ticket, their word stands.
PEOPLE = ("staff:", "deputy:")


class Refined(Protocol):
    category: str
    confidence: float
    needs_triage: bool


def _settled(session: Session, ticket: Ticket) -> bool:
    """Refined before, or moved by a person, or not the classifier's to move."""
    if ticket.status != TicketStatus.NEW or ticket.confidential or ticket.duplicate_of_id is not None \
            or ticket.anonymised_at is not None:
        return True
    events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    return any(e.kind in (KIND, "recategorised") or e.actor.startswith(PEOPLE) for e in events)


def text_to_refine(session: Session, ticket_id: int) -> str | None:
    """The ticket's words when the refiner may still move it, else None."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or _settled(session, ticket):
        return None
    return ticket.text


def apply(session: Session, ticket_id: int, found: Refined, now: datetime) -> Outcome:
    """Move the ticket to the refined category (or confirm it); flushes, never commits.

    Only a sure answer (not needs_triage) takes the ticket out of the triage
    queue or tells the deputy; an unsure one moves the category silently, as a
    better guess for the staff who still confirm it. The write is conditional
    on the ticket being as it was read (SQLite has no row lock)."""
    ticket = session.get(Ticket, ticket_id, with_for_update=True)
    if ticket is None or _settled(session, ticket) or found.category not in categories() or found.category == OTHER:
        return Outcome()
    old = (ticket.category, ticket.office, ticket.level)
    sure = not found.needs_triage
    if found.category == ticket.category:
        if not sure or not ticket.needs_triage or ticket.deputy_id is None:
            return Outcome()  # nothing to change; a re-run finds the same
        # Sure now of the same category: out of the staff's triage queue.
        if not _still(session, ticket, confidence=found.confidence, needs_triage=False, updated_at=now):
            return Outcome()
        record(session, ticket, KIND, ACTOR, now, texts.REFINED_CONFIRMED.format(category=ticket.category))
        session.flush()
        return Outcome(ticket_id=ticket.id)
    where = route(found.category, ticket.text)
    if not _still(session, ticket, category=found.category, confidence=found.confidence, office=where.office,
                  level=where.level, needs_triage=not sure or ticket.deputy_id is None, updated_at=now):
        return Outcome()
    rerouted = (where.office, where.level) != old[1:]
    note = texts.REFINED_NOTE.format(old=old[0], new=found.category)
    if rerouted:
        level = texts.LEVEL_NAMES.get
        note += texts.REFINED_ROUTE_NOTE.format(old_office=old[1], old_level=level(old[2], old[2]),
                                                office=where.office, level=level(where.level, where.level))
    record(session, ticket, KIND, ACTOR, now, note)
    session.flush()
    done = Outcome(ticket_id=ticket.id)
    if rerouted and sure:
        done.add_pushes([_tell_deputy(session, ticket, old[0], now)])
    return done


def _still(session: Session, ticket: Ticket, **values) -> bool:
    """Write `values` only if the ticket is still as read: new, same category,
    deputy and last change. False when someone moved it meanwhile."""
    changed = session.execute(
        update(Ticket).where(Ticket.id == ticket.id, Ticket.status == TicketStatus.NEW,
                             Ticket.category == ticket.category, Ticket.updated_at == ticket.updated_at,
                             Ticket.deputy_id.is_(None) if ticket.deputy_id is None
                             else Ticket.deputy_id == ticket.deputy_id)
        .values(**values).execution_options(synchronize_session="fetch")).rowcount
    return changed == 1


def _tell_deputy(session: Session, ticket: Ticket, old_category: str, now: datetime):
    deputy = ticket.deputy
    if deputy is None or not deputy.reachable:
        return None
    text = texts.DEPUTY_TICKET_REFINED.format(number=ticket.number, old=old_category, category=ticket.category,
                                              office=ticket.office,
                                              level=texts.LEVEL_NAMES.get(ticket.level, ticket.level))
    return notify.queue(session, key=f"ticket:{ticket.id}:refined:{deputy.openid}", openid=deputy.openid,
                        kind=PUSH_KIND, text=text, title=texts.DEPUTY_TICKET_REFINED_TITLE,
                        fields=(("keyword1", ticket.number), ("keyword2", ticket.category),
                                ("keyword3", ticket.office), ("keyword4", text[:20])),
                        ticket_id=ticket.id, now=now)
