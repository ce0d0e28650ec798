"""A deputy's visit notes (民情笔记) sent from WeChat: "走访 新民村 李大爷家，反映
灌溉渠堵塞" is one "走访选民" activity (item 2): the first word is the place,
the rest the note. Photos, videos or a voice note the deputy sends within a
few minutes (the setting VISIT_MEDIA_MINUTES) join that activity. Whether the
note also opens a ticket for the voter is the ticket side's call
(services/tickets/on_behalf.py): duty stays below tickets."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Deputy, DutyActivity, InboundMessage
from ..calendar.local_time import BEIJING
from .activities import MAX_NOTE, MAX_PHOTOS, DutyError, record

VERB = "走访"
_SEP = "\\s，,。；;：:、"
_VISIT = re.compile(rf"^{VERB}[{_SEP}]*([^{_SEP}]+)[{_SEP}]*(.*)$", re.S)


@dataclass(frozen=True)
class Note:
    place: str
    note: str


def _plain(text: str | None) -> str:
    """NFC, full-width spaces as spaces; the deputy's punctuation kept as written."""
    return unicodedata.normalize("NFC", text or "").replace("\u3000", " ").strip()


def is_visit(text: str | None) -> bool:
    return _plain(text).startswith(VERB)


def parse(text: str | None) -> Note | None:
    """The place (first word) and the note (the rest, as written); None without a place."""
    found = _VISIT.match(_plain(text))
    if not found:
        return None
    return Note(found.group(1).strip(), found.group(2).strip())


def inbound_id(session: Session, dedupe_key: str) -> int | None:
    """The stored row of the message being handled (the webhook flushed it before dispatch)."""
    return session.scalar(select(InboundMessage.id).where(InboundMessage.dedupe_key == dedupe_key))


def record_visit(session: Session, deputy: Deputy, note: Note, now: datetime, inbound: int | None) -> DutyActivity:
    """One visit activity per message (evidence "inbound:<id>"); raises DutyError (Chinese) on bad input."""
    return record(session, deputy=deputy, kind="visit", day=now.astimezone(BEIJING).date(), source="deputy",
                  now=now, evidence=f"inbound:{inbound}" if inbound is not None else None, place=note.place,
                  note=note.note, entered_by=f"deputy:{deputy.id}")


def recent(session: Session, deputy: Deputy, now: datetime, minutes: int) -> DutyActivity | None:
    """The deputy's own visit note of the last `minutes`, the newest: where a photo just sent belongs."""
    if minutes <= 0:
        return None
    return session.scalar(select(DutyActivity).where(
        DutyActivity.deputy_id == deputy.id, DutyActivity.kind == "visit", DutyActivity.source == "deputy",
        DutyActivity.created_at >= now - timedelta(minutes=minutes), DutyActivity.created_at <= now)
        .order_by(DutyActivity.created_at.desc(), DutyActivity.id.desc()).limit(1))


def attach(session: Session, activity: DutyActivity, media_id: str, said: str = "") -> int:
    """Add a media id (and a voice note's recognised words) to the visit; how many
    it holds now. Raises DutyError when it is full."""
    photos = list(activity.photos or [])
    if media_id in photos:
        return len(photos)
    if len(photos) >= MAX_PHOTOS:
        raise DutyError(f"这次走访已经有 {len(photos)} 个附件")
    activity.photos = [*photos, str(media_id)[:128]]  # a new list: the JSON column sees the change
    said = (said or "").strip()
    if said:
        activity.note = (f"{activity.note}\n（语音）{said}" if activity.note else f"（语音）{said}")[:MAX_NOTE]
    session.flush()
    return len(activity.photos)


def ticket_of(session: Session, activity: DutyActivity) -> int | None:
    """The ticket the visit note opened for a voter, if any: the webhook keeps it on the note's inbound row."""
    kind, _, ident = (activity.evidence or "").partition(":")
    if kind != "inbound" or not ident.isdigit():
        return None
    return session.scalar(select(InboundMessage.ticket_id).where(InboundMessage.id == int(ident)))
