"""A voter's opinion becomes a ticket: classify, assign, open, queue the push."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ...models import Voter
from .. import texts
from ..outbox import notify
from ..outcome import Outcome
from ..station import Station
from . import assignment, confidential, duplicates
from .classify import Classification, classify
from .followup import holders
from .records import open_ticket


def submit_opinion(session: Session, voter: Voter, text: str, now: datetime,
                   classification: Classification | None = None,
                   staff_openids: tuple[str, ...] = (), mask_village: bool = True) -> Outcome:
    found = classification or classify(text)
    chosen = assignment.choose(session, voter)
    # A complaint about that deputy, a matter of discipline or law, or a request not to be
    # named: for the staff alone, never merged (services/tickets/confidential.py).
    finding = confidential.check(voter, chosen, text, found)
    if finding:
        station = Station(staff_openids=tuple(staff_openids), mask_village=mask_village)
        return confidential.open_confidential(session, voter, text, now, found, chosen, finding, station)
    ticket = open_ticket(session, voter=voter, text=text, classification=found, assignment=chosen, now=now,
                         urgent=found.urgent, needs_triage=found.needs_triage)
    # An urgent report stands alone: merging it would hide the danger behind an older ticket.
    primary = None if found.urgent else duplicates.find_similar(session, voter, text, found.category)
    if primary is not None and confidential.naming(primary, holders(primary), text):
        primary = None  # it names a deputy who holds that ticket: this one stays with its own deputy
    if primary is not None:  # the same problem, already reported in this village
        pushes = list(duplicates.link(session, ticket, primary, now))
        deputy = f"{primary.deputy.name} 代表" if primary.deputy else "联络站"
        reply = texts.RECEIVED_DUPLICATE.format(number=ticket.number, primary=primary.number, deputy=deputy)
        return Outcome(reply, ticket.id).add_pushes(pushes)
    pushes = [notify.ticket_assigned(session, ticket, now, opened_now=True)]
    if found.urgent:  # danger always reaches a person at once: the station staff too
        pushes += notify.urgent_to_staff(session, ticket, staff_openids, now)
    if chosen.deputy is not None:
        reply = texts.RECEIVED_ASSIGNED.format(number=ticket.number, deputy=chosen.deputy.name)
    else:
        reply = texts.RECEIVED_TRIAGE.format(number=ticket.number)
    if found.urgent:
        reply += texts.URGENT_ADVICE
    return Outcome(reply, ticket.id).add_pushes(pushes)
