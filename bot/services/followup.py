"""A voter adding to, or chasing, their open opinion."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import OPEN_STATUSES, Deputy, OutboundPush, Ticket, Voter
from . import notify, texts
from .tickets import record


@dataclass(frozen=True)
class Added:
    ticket: Ticket
    pushes: list[OutboundPush]
    reply: str


def latest_open(session: Session, voter: Voter) -> Ticket | None:
    """The voter's open ticket; for a report merged into another voter's, that one."""
    ticket = session.scalar(select(Ticket).where(Ticket.voter_id == voter.id,
                                                 Ticket.status.in_(OPEN_STATUSES + ("merged",)))
                            .order_by(Ticket.id.desc()).limit(1))
    if ticket is not None and ticket.status == "merged":
        primary = session.get(Ticket, ticket.duplicate_of_id) if ticket.duplicate_of_id else None
        return primary if primary is not None and primary.status in OPEN_STATUSES else None
    return ticket


def holders(ticket: Ticket) -> list[Deputy]:
    """The deputies who hold a ticket now: the assigned one and, once escalated, the upper one."""
    people = [d for d in (ticket.deputy, ticket.escalated_to) if d is not None]
    return [d for d in dict.fromkeys(people) if d.openid and d.subscribed and d.active]


def tell_holders(session: Session, ticket: Ticket, kind: str, event_id: int, text: str,
                 now: datetime) -> list[OutboundPush]:
    pushes = [notify.queue(session, key=f"ticket:{ticket.id}:{kind}:{event_id}:{d.openid}", openid=d.openid,
                           kind=f"ticket_{kind}", text=text, title=texts.DEPUTY_NEW_TICKET_TITLE,
                           ticket_id=ticket.id, now=now) for d in holders(ticket)]
    return [p for p in pushes if p is not None]


def add(session: Session, ticket: Ticket, text: str, now: datetime, by: Voter | None = None) -> Added:
    """Add the voter's words to the ticket (their own, or the one theirs was merged into)."""
    event = record(session, ticket, "followup", f"voter:{by.id if by else ticket.voter_id}", now, text)
    session.flush()
    pushes = tell_holders(session, ticket, "followup", event.id,
                          texts.DEPUTY_FOLLOWUP.format(number=ticket.number, text=text), now)
    people = holders(ticket)
    if people:
        reply = texts.FOLLOWUP_ADDED.format(number=ticket.number, deputy=people[-1].name)
    else:
        reply = texts.FOLLOWUP_ADDED_TRIAGE.format(number=ticket.number)
    return Added(ticket, pushes, reply)
