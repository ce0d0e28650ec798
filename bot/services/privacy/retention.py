"""The retention period (PIPL art. 19: no longer than needed): a finished
ticket is anonymised `ticket_days` after its last event (as an erase does, per
ticket), and raw message payloads and media go sooner, after `raw_days`.
Deputies' visit notes (民情笔记: duty_activities.people and .note, free text
naming the voters visited) go after the tickets' period too, counted from the
activity's day: the activity itself (kind, day, place) stays, so the "十个一"
counts of past years do not change. A voter's erasure cannot find them in free
text; this period bounds how long they are kept."""
from __future__ import annotations

import os
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ...models import OPEN_STATUSES, DutyActivity, InboundMessage, Ticket, TicketEvent
from ..calendar.local_time import BEIJING
from .. import texts
from ..accounts import audit
from . import scrub


def expired_tickets(session: Session, now: datetime, ticket_days: int) -> list[int]:
    """Finished tickets whose history ends `ticket_days` ago or more, not anonymised yet.
    The last event, not updated_at: that column moves on any later write."""
    cutoff = now - timedelta(days=ticket_days)
    last = (select(TicketEvent.ticket_id, func.max(TicketEvent.created_at).label("at"))
            .group_by(TicketEvent.ticket_id).subquery())
    return list(session.scalars(select(Ticket.id).join(last, last.c.ticket_id == Ticket.id).where(
        Ticket.status.not_in(OPEN_STATUSES), last.c.at <= cutoff,
        Ticket.anonymised_at.is_(None)).order_by(Ticket.id)))


def _raw_messages(now: datetime, raw_days: int):
    """Inbound rows older than `raw_days` whose words and payload were not dropped yet
    (asked of a plain column: the sealed ones cannot say whether they hold anything)."""
    cutoff = now - timedelta(days=raw_days)
    return InboundMessage.created_at <= cutoff, InboundMessage.raw_dropped_at.is_(None)


def _media_tickets(session: Session, now: datetime, raw_days: int, instance_path: str) -> list[int]:
    """Tickets opened `raw_days` ago or more that still have media on disk (the
    folders are listed first: far fewer than the tickets)."""
    root = os.path.join(instance_path, "media")
    held = sorted(int(name) for name in (os.listdir(root) if os.path.isdir(root) else ()) if name.isdigit())
    cutoff = now - timedelta(days=raw_days)
    old: list[int] = []
    for start in range(0, len(held), 500):
        old += session.scalars(select(Ticket.id).where(Ticket.id.in_(held[start:start + 500]),
                                                       Ticket.created_at <= cutoff))
    return sorted(i for i in old if scrub.count_media(instance_path, i))


def expired_duty_notes(session: Session, now: datetime, ticket_days: int) -> list[DutyActivity]:
    """Activities `ticket_days` or more past their day that still hold people or a note
    written by a deputy or staff (the system's own, "2026-000123 城乡建设", names nobody).
    Sealed columns: read here, not asked of the database."""
    cutoff: date = (now.astimezone(BEIJING) - timedelta(days=ticket_days)).date()
    rows = session.scalars(select(DutyActivity).where(DutyActivity.day <= cutoff, DutyActivity.source != "auto")
                           .order_by(DutyActivity.id))
    return [a for a in rows if a.people or (a.note and a.note != texts.EXPIRED)]


def run(session: Session, now: datetime, *, ticket_days: int, raw_days: int, instance_path: str,
        dry_run: bool = False) -> Counter[str]:
    """Apply the retention periods; with `dry_run`, only count what would go."""
    expired = expired_tickets(session, now, ticket_days)
    media = _media_tickets(session, now, raw_days, instance_path)
    raw = _raw_messages(now, raw_days)
    if dry_run:
        done: Counter[str] = Counter()
        done["tickets"] = len(expired)
        done["raw_messages"] = session.scalar(select(func.count(InboundMessage.id)).where(*raw)) or 0
        done["media_files"] = sum(scrub.count_media(instance_path, i) for i in media)
        done["duty_notes"] = len(expired_duty_notes(session, now, ticket_days))
        return +done
    done = scrub.tickets(session, expired, texts.EXPIRED, instance_path, now)
    # The ticket keeps the words for its own period; the raw delivery is not needed after raw_days.
    done["raw_messages"] = session.execute(update(InboundMessage).where(*raw)
                                           .values(content=None, extra={}, raw_dropped_at=now)).rowcount
    for ticket_id in media:
        done["media_files"] += scrub.drop_media(instance_path, ticket_id)
    for activity in expired_duty_notes(session, now, ticket_days):
        activity.people, activity.note = "", texts.EXPIRED if activity.note else ""
        done["duty_notes"] += 1
    session.flush()
    done = +done
    if done:
        audit.record(session, actor="system", action="privacy.retention", target="",
                     detail="，".join(f"{k} {v}" for k, v in sorted(done.items())), now=now)
    return done
