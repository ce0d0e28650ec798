"""Overwriting what a ticket says while keeping what it counts: category,
village, site, deputy, status, dates and rating stay for the statistics; the
voter's words, places, replies, pushes that quote them and media go.

Columns are overwritten (never deleted rows), so the ticket numbers, the counts
by category and status and the SLA figures do not change. The text columns are
sealed (models/base.py): SQL cannot tell what they hold, so a ticket records
when it was anonymised (anonymised_at) and notes are looked at in Python."""
from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from datetime import datetime
from typing import Iterable

from sqlalchemy import case, delete, func, insert, literal, null, select, update
from sqlalchemy.orm import Session

from ...models import InboundMessage, LabelledExample, OutboundPush, Ticket, TicketEvent, TicketTerm
from ...models.accounts import AuditEvent
from ...models.base import cipher_of
from ..outbox import notify

# Event notes the system writes without a voter's words (who was assigned, the
# SLA clock, a category change): kept, they explain the statistics.
KEEP_NOTES = frozenset({"assigned", "triage", "recategorised", "refined", "merged", "sla_reminded", "sla_breached"})


def tickets(session: Session, ticket_ids: Iterable[int], marker: str, instance_path: str,
            now: datetime) -> Counter[str]:
    """Anonymise these tickets and everything that quotes them; returns counts."""
    ids = sorted(set(ticket_ids))
    done: Counter[str] = Counter()
    if not ids:
        return done
    for chunk in _chunks(ids):
        done["tickets"] += session.execute(
            update(Ticket).where(Ticket.id.in_(chunk))
            # updated_at kept: the ticket's own history did not change. The first date stays.
            .values(text=marker, place=None, rating_comment=None, updated_at=Ticket.updated_at,
                    anonymised_at=func.coalesce(Ticket.anonymised_at, literal(now, Ticket.anonymised_at.type))
                    )).rowcount
        _reindex(session, chunk, marker)
        done["events"] += _notes(session, chunk, marker)
        done["messages"] += session.execute(
            update(InboundMessage).where(InboundMessage.ticket_id.in_(chunk))
            .values(content=marked(InboundMessage.content, marker), reply=marked(InboundMessage.reply, marker),
                    extra={})).rowcount
        done["pushes"] += pushes(session, OutboundPush.ticket_id.in_(chunk), marker)
        done["examples"] += session.execute(
            update(LabelledExample).where(LabelledExample.ticket_id.in_(chunk)).values(text=marker)).rowcount
        done["audit"] += _audit_details(session, chunk, marker)
        for ticket_id in chunk:
            done["media_files"] += drop_media(instance_path, ticket_id)
    session.flush()
    return done


def _audit_details(session: Session, ticket_ids: list[int], marker: str) -> int:
    """The audit log's details about these tickets (older console versions copied
    replies, notes and reasons there): overwritten; who did what and when stays."""
    numbers = list(session.scalars(select(Ticket.number).where(Ticket.id.in_(ticket_ids))))
    said = [row_id for row_id, detail in session.execute(
        select(AuditEvent.id, AuditEvent.detail).where(AuditEvent.target.in_(numbers)))
            if detail and detail != marker]
    for chunk in _chunks(said):
        session.execute(update(AuditEvent).where(AuditEvent.id.in_(chunk)).values(detail=marker))
    return len(said)


def words_elsewhere(session: Session, voter_id: int, own: Iterable[int], marker: str,
                    instance_path: str) -> Counter[str]:
    """What the voter added to other voters' tickets (theirs merged into a
    neighbour's): their follow-ups, places and media there, and the pushes that
    quoted them (keyed "ticket:<id>:<kind>:<event id>:<openid>", services/tickets/followup.py)."""
    done: Counter[str] = Counter()
    own = set(own)
    events = [e for e in session.scalars(select(TicketEvent).where(TicketEvent.actor == f"voter:{voter_id}"))
              if e.ticket_id not in own]
    for event in events:
        ticket = session.get(Ticket, event.ticket_id)
        if event.kind == "place" and ticket is not None and ticket.place == event.note:
            ticket.place = None  # the location they sent became the neighbour's ticket's place
        if event.kind == "attachment" and event.note:
            done["media_files"] += _drop_one(instance_path, event.ticket_id, event.note.partition(":")[2])
        if event.note and event.note != marker:
            event.note = marker
            done["events"] += 1
        done["pushes"] += pushes(session, OutboundPush.dedupe_key.like(
            f"ticket:{event.ticket_id}:{event.kind}:{event.id}:%"), marker)
    session.flush()
    return done


def _drop_one(instance_path: str, ticket_id: int, media_id: str) -> int:
    """Delete one saved photo or video of a ticket (named after its media id, bot/jobs/tasks.py)."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", media_id)[:128]
    folder = media_folder(instance_path, ticket_id)
    if not name or not os.path.isdir(folder):
        return 0
    gone = 0
    for file in os.listdir(folder):
        if file.split(".")[0] == name:
            os.remove(os.path.join(folder, file))
            gone += 1
    return gone


def _reindex(session: Session, ticket_ids: list[int], marker: str) -> None:
    """The search index follows the text (a bulk UPDATE skips the model's listener):
    the hashes of the voter's words go, the marker's take their place."""
    session.execute(delete(TicketTerm).where(TicketTerm.ticket_id.in_(ticket_ids)))
    terms = sorted(cipher_of(session.connection().dialect).terms(marker))
    if terms:
        session.execute(insert(TicketTerm), [{"ticket_id": i, "term": t} for i in ticket_ids for t in terms])


def _notes(session: Session, ticket_ids: list[int], marker: str) -> int:
    """Overwrite the notes that say something (sealed: read here, not compared in SQL)."""
    said = [event_id for event_id, note in session.execute(
        select(TicketEvent.id, TicketEvent.note).where(TicketEvent.ticket_id.in_(ticket_ids),
                                                       TicketEvent.kind.not_in(KEEP_NOTES)))
            if note and note != marker]
    for chunk in _chunks(said):
        session.execute(update(TicketEvent).where(TicketEvent.id.in_(chunk)).values(note=marker))
    return len(said)


def pushes(session: Session, where, marker: str) -> int:
    """Overwrite the text of these pushes; one not sent yet never will be."""
    notify.stop(session, where, "personal data erased before sending")
    return session.execute(update(OutboundPush).where(where)
                           .values(payload={"text": marker, "title": "", "fields": []})).rowcount


def drop_media(instance_path: str, ticket_id: int) -> int:
    """Delete the photos and videos saved for a ticket; returns how many files went."""
    folder = media_folder(instance_path, ticket_id)
    if not os.path.isdir(folder):
        return 0
    count = sum(len(files) for _, _, files in os.walk(folder))
    shutil.rmtree(folder)
    return count


def media_folder(instance_path: str, ticket_id: int) -> str:
    """Where the worker saves a ticket's media (bot/jobs/tasks.py fetch_media)."""
    return os.path.join(instance_path, "media", str(int(ticket_id)))


def count_media(instance_path: str, ticket_id: int) -> int:
    folder = media_folder(instance_path, ticket_id)
    return sum(len(files) for _, _, files in os.walk(folder)) if os.path.isdir(folder) else 0


def marked(column, marker: str):
    """The marker where there was something, NULL where there was nothing. Sealed
    text cannot be compared in SQL: an empty string (rare, legacy) counts as something."""
    return case((column.is_(None), null()), else_=literal(marker, column.type))


def _chunks(ids: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def ticket_ids_of(session: Session, voter_id: int) -> list[int]:
    return list(session.scalars(select(Ticket.id).where(Ticket.voter_id == voter_id)))
