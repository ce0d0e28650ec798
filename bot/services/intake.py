"""A voter's opinion becomes a ticket: classify, assign, open, queue the push."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..models import OutboundPush, Ticket, Voter
from . import assignment, notify, texts
from .tickets import open_ticket
from .classify import classify


@dataclass(frozen=True)
class Submitted:
    ticket: Ticket
    push: OutboundPush | None
    reply: str


def submit_opinion(session: Session, voter: Voter, text: str, now: datetime) -> Submitted:
    chosen = assignment.choose(session, voter)
    ticket = open_ticket(
        session, voter=voter, text=text, classification=classify(text), assignment=chosen, now=now)
    push = notify.ticket_assigned(session, ticket, now)
    if chosen.deputy is not None:
        reply = texts.RECEIVED_ASSIGNED.format(number=ticket.number, deputy=chosen.deputy.name)
    else:
        reply = texts.RECEIVED_TRIAGE.format(number=ticket.number)
    return Submitted(ticket, push, reply)
