"""The ticket lifecycle: one table of allowed transitions, and the moves that
follow it. Every move is a ticket event (who, when, what, note); where the
voter should know, a push to the voter in plain Chinese.

    new ──受理──> accepted ──办理──> in_progress ──回复/转办/上报──> replied / transferred / escalated
     │              │                               │
     │              └──────────────办结─────────────┴──> resolved ──评价──> rated
     └─退回─> new (back to the staff triage queue)       │    └──没解决──> reopened ──受理──> accepted
    staff: rejected (not an opinion, the voter hears why); closed; merged
    merged ──its primary rejected or returned──> new (in the triage queue, the voter told)
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Deputy, OutboundPush, Ticket, TicketEvent, TicketStatus
from .. import texts
from ..outbox import notify
from .records import record

log = logging.getLogger(__name__)

S = TicketStatus
# Waiting for a deputy to accept (受理) it.
WAITING = frozenset({S.NEW, S.REOPENED})
WORKING = frozenset({S.ACCEPTED, S.IN_PROGRESS, S.REPLIED, S.TRANSFERRED, S.ESCALATED})
# Resolved, rated or not: the voter may still reopen it for a few days.
FINISHED = frozenset({S.RESOLVED, S.RATED})
# action -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[TicketStatus], TicketStatus]] = {
    "accept": (WAITING, S.ACCEPTED),
    "progress": (frozenset({S.ACCEPTED, S.IN_PROGRESS}), S.IN_PROGRESS),
    "reply": (WORKING, S.REPLIED),
    "transfer": (WORKING, S.TRANSFERRED),
    "escalate": (WORKING, S.ESCALATED),
    "resolve": (WORKING, S.RESOLVED),
    "return": (WAITING | {S.ACCEPTED}, S.NEW),
    "reject": (WAITING | {S.ACCEPTED}, S.REJECTED),
    "rate": (frozenset({S.RESOLVED}), S.RATED),
    "reopen": (FINISHED, S.REOPENED),
    "close": (FINISHED, S.CLOSED),
    "merge": (WAITING | {S.ACCEPTED}, S.MERGED),
    # A duplicate is resolved when the ticket it was merged into is.
    "resolve_linked": (frozenset({S.MERGED}), S.RESOLVED),
    # ... and back on its own, in the triage queue, when that ticket is rejected or returned.
    "unmerge": (frozenset({S.MERGED}), S.NEW),
}
EVENT_KINDS = {"accept": "accepted", "progress": "in_progress", "reply": "replied", "transfer": "transferred", "escalate": "escalated",
               "resolve": "resolved", "return": "returned", "reject": "rejected", "rate": "rated",
               "reopen": "reopened", "close": "closed", "merge": "merged", "resolve_linked": "resolved",
               "unmerge": "unmerged"}


class NotAllowed(Exception):
    """The ticket's status does not allow this move."""

    def __init__(self, ticket: Ticket, action: str):
        super().__init__(f"{ticket.number}: {action} not allowed from {ticket.status}")
        self.ticket, self.action = ticket, action


def allowed(ticket: Ticket, action: str) -> bool:
    return ticket.status in TRANSITIONS[action][0]


def move(session: Session, ticket: Ticket, action: str, actor: str, now: datetime, note: str = "") -> TicketEvent:
    """Apply one transition of the table and record it; raises NotAllowed."""
    if not allowed(ticket, action):
        raise NotAllowed(ticket, action)
    before = ticket.status
    ticket.status = TRANSITIONS[action][1]
    ticket.updated_at = now
    event = record(session, ticket, EVENT_KINDS[action], actor, now, note)
    session.flush()
    log.info("ticket %s: %s -> %s by %s", ticket.number, before, ticket.status, actor)
    return event


def to_voter(session: Session, ticket: Ticket, event: TicketEvent, text: str, now: datetime) -> OutboundPush | None:
    """Tell the voter about an event of their ticket (one push per event and voter)."""
    voter = ticket.voter
    if not voter.openid or not voter.subscribed:
        return None
    fields = (("keyword1", ticket.number), ("keyword2", texts.STATUS_NAMES.get(ticket.status, ticket.status)),
              ("keyword3", text[:20]))
    return notify.queue(session, key=f"ticket:{ticket.id}:{event.kind}:{event.id}:{voter.openid}",
                        openid=voter.openid, kind=f"voter_{event.kind}", text=text,
                        title=texts.VOTER_UPDATE_TITLE, fields=fields, ticket_id=ticket.id, now=now)


def to_people(session: Session, ticket: Ticket, event: TicketEvent, openids: list[str], kind: str, text: str,
              title: str, now: datetime) -> list[OutboundPush]:
    """Tell deputies or staff about an event (one push per event and person)."""
    out = []
    for openid in dict.fromkeys(o for o in openids if o):
        push = notify.queue(session, key=f"ticket:{ticket.id}:{event.kind}:{event.id}:{openid}", openid=openid,
                            kind=kind, text=text, title=title, ticket_id=ticket.id, now=now,
                            fields=(("keyword1", ticket.number), ("keyword2", ticket.category),
                                    ("keyword3", text[:20])))
        if push is not None:
            out.append(push)
    return out


def deputy_openid(deputy: Deputy | None) -> str | None:
    """Where a push to this deputy goes; None when they cannot be reached (Deputy.reachable)."""
    return deputy.openid if deputy is not None and deputy.reachable else None


def reject(session: Session, ticket: Ticket, reason: str, by: str, now: datetime) -> list[OutboundPush]:
    """Staff: not an opinion (an advert, a test, a private quarrel): rejected,
    and the voter is told why. Raises NotAllowed once it is being handled.
    Tickets merged into it go back to the triage queue on their own."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a rejection needs a reason the voter can read")
    event = move(session, ticket, "reject", f"staff:{by}", now, reason)
    ticket.needs_triage = False
    push = to_voter(session, ticket, event, texts.VOTER_REJECTED.format(number=ticket.number, reason=reason), now)
    return [p for p in (push, *release_duplicates(session, ticket, f"staff:{by}", now)) if p is not None]


def release_duplicates(session: Session, primary: Ticket, actor: str, now: datetime) -> list[OutboundPush]:
    """Tickets merged into `primary` (rejected or returned) become new tickets
    of their own in the staff triage queue, their SLA clock started now, and
    each voter is told. Returns the pushes to deliver."""
    rows = session.scalars(select(Ticket).where(Ticket.duplicate_of_id == primary.id, Ticket.status == S.MERGED)
                           .order_by(Ticket.id)).all()
    out = []
    for dup in rows:
        event = move(session, dup, "unmerge", actor, now, primary.number)
        dup.duplicate_of_id = dup.deputy_id = dup.escalated_to_id = None
        dup.needs_triage, dup.sla_started_at, dup.accepted_at = True, now, None
        session.flush()
        log.info("ticket %s released from %s (%s) to the triage queue", dup.number, primary.number, primary.status)
        push = to_voter(session, dup, event, texts.VOTER_UNMERGED.format(number=dup.number, primary=primary.number),
                        now)
        if push is not None:
            out.append(push)
    return out
