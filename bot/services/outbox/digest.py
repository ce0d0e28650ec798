"""Digests: a burst of new tickets reaches a deputy as a few pushes and one list.

A deputy gets at most `after` new-ticket pushes within `window` seconds. A push
beyond that is held when a worker comes to deliver it, and the outbox sweep lists
every held push of the deputy in one digest once the window ends ("您有5条新工单：
#…"). Each held push stays a row (held, then digested), each ticket is in the
deputy's 我的工单 at once, and urgent tickets are never held.

The decision looks only at earlier pushes, so it does not depend on the order
workers take them in; one still undecided counts as sent, which holds more, never less.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import OutboundPush, PushStatus, Ticket
from .. import texts
from ..roster.voters import village_name
from . import notify

log = logging.getLogger(__name__)

KIND = "ticket_assigned"
LINES = 10  # tickets listed by number; the rest are counted


def hold(session: Session, push_id: int, now: datetime, after: int, window: int) -> bool:
    """Hold a pending new-ticket push if its deputy had `after` pushes in the window before it."""
    if after <= 0 or window <= 0:
        return False
    push = session.get(OutboundPush, push_id)
    if push is None or push.status != PushStatus.PENDING or push.kind != KIND:
        return False
    ticket = session.get(Ticket, push.ticket_id) if push.ticket_id else None
    if ticket is not None and ticket.urgent:
        return False  # danger always reaches a person at once
    span = timedelta(seconds=window)
    pushed = session.scalars(select(OutboundPush.created_at).where(
        OutboundPush.recipient_openid == push.recipient_openid, OutboundPush.kind == KIND,
        OutboundPush.id < push.id, OutboundPush.created_at > push.created_at - span,
        OutboundPush.status.not_in((PushStatus.HELD, PushStatus.DIGESTED)))
        .order_by(OutboundPush.created_at.desc()).limit(after)).all()
    if len(pushed) < after:
        return False
    # The digest goes when the oldest of those leaves the window: from then on a push would go again.
    push.status, push.due_at = PushStatus.HELD, min(pushed) + span
    log.info("push %s held for the deputy's digest until %s", push.id, push.due_at.isoformat())
    return True


def release(session: Session, now: datetime) -> list[OutboundPush]:
    """One digest push per deputy whose held pushes are due; the held rows become digested."""
    due = session.scalars(select(OutboundPush.recipient_openid).where(
        OutboundPush.status == PushStatus.HELD, OutboundPush.due_at <= now).distinct()).all()
    return [d for d in (_digest(session, openid, now) for openid in due) if d is not None]


def _confidential(session: Session, push: OutboundPush) -> bool:
    ticket = session.get(Ticket, push.ticket_id) if push.ticket_id else None
    return ticket is not None and ticket.confidential


def _digest(session: Session, openid: str, now: datetime) -> OutboundPush | None:
    held = session.scalars(select(OutboundPush).where(
        OutboundPush.recipient_openid == openid, OutboundPush.status == PushStatus.HELD)
        .order_by(OutboundPush.id)).all()
    kept = [p for p in held if not _confidential(session, p)]
    for push in held:  # taken from the deputies since it was held: not even its number goes out
        if push not in kept:
            push.status, push.last_error = PushStatus.FAILED, "withdrawn"
    held = kept
    if not held:
        session.flush()
        return None
    lines = []
    for push in held[:LINES]:
        ticket = session.get(Ticket, push.ticket_id) if push.ticket_id else None
        if ticket is not None:
            lines.append(texts.DEPUTY_DIGEST_LINE.format(number=ticket.number, category=ticket.category,
                                                         village=village_name(ticket.village)))
    if len(held) > LINES:
        lines.append(texts.DEPUTY_DIGEST_MORE.format(count=len(held)))
    key = f"digest:{openid}:{held[0].id}"
    digest = notify.queue(session, key=key, openid=openid, kind="ticket_digest", now=now,
                          text=texts.DEPUTY_DIGEST.format(count=len(held), lines="\n".join(lines)),
                          title=texts.DEPUTY_DIGEST_TITLE)
    for push in held:
        push.status, push.payload = PushStatus.DIGESTED, {**(push.payload or {}), "digest": key}
    session.flush()
    return digest
