"""The outbox: queueing pushes and recording how each delivery went.

A push is a row first and a message second. The row's unique key keeps one
push per (subject, event, recipient); claiming the row before sending keeps a
re-run task from sending twice.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...messages import Outgoing, SendResult
from ...models import OutboundPush, PushStatus, Ticket
from .. import texts
from ..roster.voters import display_name, village_name
from . import windows

log = logging.getLogger(__name__)


def queue(session: Session, *, key: str, openid: str, kind: str, text: str, title: str = "",
          fields: tuple[tuple[str, str], ...] = (), ticket_id: int | None = None,
          now: datetime, unseen: bool = False) -> OutboundPush | None:
    """Queue one push; None if a push with this key exists already. `unseen`: the
    key names something created in this transaction, so no push can have it yet
    (the look-up is skipped; the unique key still stands behind it)."""
    if not unseen and session.scalar(select(OutboundPush.id).where(OutboundPush.dedupe_key == key)) is not None:
        return None
    push = OutboundPush(
        dedupe_key=key, recipient_openid=openid, kind=kind, ticket_id=ticket_id, created_at=now,
        payload={"text": text, "title": title, "fields": [list(f) for f in fields]},
    )
    session.add(push)
    session.flush()
    return push


def ticket_assigned(session: Session, ticket: Ticket, now: datetime,
                    event_id: int | None = None, opened_now: bool = False) -> OutboundPush | None:
    """Tell the assigned deputy about a new ticket; `event_id` (a staff
    assignment) makes each assignment its own push, even to the same deputy;
    `opened_now`: the ticket was opened in this transaction (nothing pushed about it yet)."""
    deputy = ticket.deputy
    if deputy is None or not deputy.reachable:
        return None
    village = village_name(ticket.village)
    who = display_name(ticket.voter.name)
    text = texts.DEPUTY_NEW_TICKET.format(number=ticket.number, category=ticket.category,
                                          village=village, who=who, text=ticket.text)
    if ticket.urgent:
        text = texts.URGENT_PREFIX + text
    fields = (("keyword1", ticket.number), ("keyword2", ticket.category),
              ("keyword3", village), ("keyword4", ticket.text[:20]))
    key = f"ticket:{ticket.id}:assigned:{deputy.openid}" if event_id is None \
        else f"ticket:{ticket.id}:assigned:{event_id}:{deputy.openid}"
    return queue(session, key=key, openid=deputy.openid,
                 kind="ticket_assigned", text=text, title=texts.DEPUTY_NEW_TICKET_TITLE,
                 fields=fields, ticket_id=ticket.id, now=now, unseen=opened_now)


def urgent_to_staff(session: Session, ticket: Ticket, staff_openids: tuple[str, ...],
                    now: datetime) -> list[OutboundPush | None]:
    """Alert every station staff member on WeChat about an urgent ticket."""
    village = village_name(ticket.village)
    text = texts.STAFF_URGENT.format(number=ticket.number, category=ticket.category, village=village,
                                     who=display_name(ticket.voter.name), text=ticket.text,
                                     deputy=ticket.deputy.name if ticket.deputy else "待分派")
    if not staff_openids:
        log.error("urgent ticket %s: no staff WeChat configured (LIAISON_STAFF_OPENIDS)", ticket.number)
    return [queue(session, key=f"ticket:{ticket.id}:urgent:{openid}", openid=openid, kind="urgent_alert",
                  text=text, title=texts.STAFF_URGENT_TITLE, ticket_id=ticket.id, now=now)
            for openid in staff_openids]


# -- delivery, called by the task in three short transactions ----------------
def claim(session: Session, push_id: int, now: datetime, window_budget: int = 20) -> Outgoing | None:
    """Mark a pending push as being sent. None if it is not pending (already
    sent, being sent, or given up): the caller must not send."""
    claimed = session.execute(
        update(OutboundPush)
        .where(OutboundPush.id == push_id, OutboundPush.status == PushStatus.PENDING)
        .values(status=PushStatus.SENDING, attempts=OutboundPush.attempts + 1, claimed_at=now)
    ).rowcount
    if not claimed:
        return None
    push = session.get(OutboundPush, push_id)
    payload = push.payload or {}
    return Outgoing(openid=push.recipient_openid, text=payload.get("text", ""),
                    title=payload.get("title", ""),
                    fields=tuple(tuple(f) for f in payload.get("fields", [])),
                    channel=windows.channel(session, push.recipient_openid, now, window_budget))


def mark_sent(session: Session, push_id: int, result: SendResult, now: datetime, window_budget: int = 20) -> None:
    push = session.get(OutboundPush, push_id)
    push.status, push.channel, push.wechat_msgid, push.sent_at = PushStatus.SENT, result.channel, result.msgid, now
    push.last_error = None
    windows.sent(session, push.recipient_openid, result.channel, now, window_budget)


def release_for_retry(session: Session, push_id: int, reason: str, due_at: datetime) -> int:
    """Back to pending after a failure that is safe to retry; returns attempts so far."""
    push = session.get(OutboundPush, push_id)
    push.status, push.last_error, push.due_at = PushStatus.PENDING, reason, due_at
    return push.attempts


def stop(session: Session, where, reason: str) -> int:
    """Pushes matching `where` that have not gone yet (waiting, or held for a
    digest) never will: unsubscribed, withdrawn, erased. Returns how many."""
    return session.execute(update(OutboundPush).where(
        where, OutboundPush.status.in_((PushStatus.PENDING, PushStatus.HELD)))
        .values(status=PushStatus.FAILED, last_error=reason)).rowcount


def mark_failed(session: Session, push_id: int, reason: str, *, status: PushStatus = PushStatus.FAILED) -> None:
    push = session.get(OutboundPush, push_id)
    push.status, push.last_error = status, reason
    log.error("push %s %s: %s", push_id, status, reason)


def stale(session: Session, now: datetime, pending_after: int, sending_after: int,
          requeue_every: int = 600) -> tuple[list[int], list[int]]:
    """(pending pushes to enqueue again, pushes stuck in 'sending' to give up on).
    A push handed back to the queue is not handed back again for `requeue_every`
    seconds, so a slow queue does not fill with copies."""
    pending = list(session.scalars(select(OutboundPush.id).where(
        OutboundPush.status == PushStatus.PENDING,
        OutboundPush.created_at < now - timedelta(seconds=pending_after),
        (OutboundPush.due_at.is_(None)) | (OutboundPush.due_at <= now)).limit(500)))
    if pending:
        session.execute(update(OutboundPush).where(OutboundPush.id.in_(pending))
                        .values(due_at=now + timedelta(seconds=requeue_every)))
    stuck = session.scalars(select(OutboundPush.id).where(
        OutboundPush.status == PushStatus.SENDING,
        OutboundPush.claimed_at < now - timedelta(seconds=sending_after)).limit(500)).all()
    return pending, list(stuck)
