"""A voter adding to, or chasing, their open opinion."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import OPEN_STATUSES, OutboundPush, Ticket, Voter
from . import notify, texts
from .tickets import record


@dataclass(frozen=True)
class Added:
    ticket: Ticket
    push: OutboundPush | None
    reply: str


def latest_open(session: Session, voter: Voter) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.voter_id == voter.id, Ticket.status.in_(OPEN_STATUSES))
                          .order_by(Ticket.id.desc()).limit(1))


def add(session: Session, ticket: Ticket, text: str, now: datetime) -> Added:
    event = record(session, ticket, "followup", f"voter:{ticket.voter_id}", now, text)
    session.flush()
    deputy = ticket.deputy
    push = None
    if deputy is not None and deputy.openid and deputy.subscribed:
        push = notify.queue(session, key=f"ticket:{ticket.id}:followup:{event.id}:{deputy.openid}",
                            openid=deputy.openid, kind="ticket_followup",
                            text=texts.DEPUTY_FOLLOWUP.format(number=ticket.number, text=text),
                            title=texts.DEPUTY_NEW_TICKET_TITLE, ticket_id=ticket.id, now=now)
        reply = texts.FOLLOWUP_ADDED.format(number=ticket.number, deputy=deputy.name)
    else:
        reply = texts.FOLLOWUP_ADDED_TRIAGE.format(number=ticket.number)
    return Added(ticket, push, reply)
