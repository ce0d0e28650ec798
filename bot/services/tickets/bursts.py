"""Bursts: a voter often sends one matter as several messages in a row (text,
voice, a photo, their location). Within a short window a photo, a video or a
location extends the open ticket; a text or a voice note does so only when it
adds to the same matter (followup.same_matter), never when it is another one."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...messages import Inbound
from ...models import OPEN_STATUSES, Ticket, TicketEvent, TicketStatus, Voter
from .. import texts
from ..outcome import Outcome
from . import followup
from .records import record

DOWNLOADED = ("image", "video", "shortvideo")  # fetched by a task and kept with the ticket


def open_in_burst(session: Session, voter: Voter, now: datetime, seconds: int) -> Ticket | None:
    """The voter's open ticket they last wrote to within `seconds`, if any."""
    if seconds <= 0:
        return None
    own = session.scalar(select(Ticket).where(Ticket.voter_id == voter.id,
                                              Ticket.status.in_(OPEN_STATUSES + (TicketStatus.MERGED,)))
                         .order_by(Ticket.id.desc()).limit(1))
    if own is None:
        return None
    last = session.scalar(select(func.max(TicketEvent.created_at)).where(
        TicketEvent.ticket_id == own.id, TicketEvent.actor == f"voter:{voter.id}"))
    # A report merged into a neighbour's ticket goes on there.
    ticket = followup.latest_open(session, voter) if own.status == TicketStatus.MERGED else own
    if ticket is None:
        return None
    if last is None:
        return None
    return ticket if now - last <= timedelta(seconds=seconds) else None


def attach(session: Session, ticket: Ticket, msg: Inbound, now: datetime, by: Voter | None = None) -> Outcome:
    """An image, video or location sent during a burst: kept with the ticket.
    Images and videos keep WeChat's media id; a location becomes the ticket's place."""
    what = texts.MEDIA_NAMES.get(msg.msg_type, "消息")
    if msg.msg_type == "location":
        f = msg.fields
        ticket.place = f"{f.get('Label') or ''}（{f.get('Location_X')},{f.get('Location_Y')}）".strip()
        note = ticket.place
        kind = "place"
    else:
        note = f"{msg.msg_type}:{msg.media_id or msg.fields.get('Url') or ''}"
        kind = "attachment"
    event = record(session, ticket, kind, f"voter:{by.id if by else ticket.voter_id}", now, note)
    session.flush()
    text = texts.DEPUTY_ATTACHED.format(number=ticket.number, what=what, note=note if kind == "place" else "")
    pushes = followup.tell_holders(session, ticket, kind, event.id, text, now)
    return Outcome(texts.ATTACHED.format(number=ticket.number, what=what), ticket.id).add_pushes(pushes)


def media_saved(session: Session, ticket_id: int, media_id: str, path: str, now: datetime) -> None:
    """A downloaded image or video is stored: its place is kept in the ticket's history."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is not None:
        record(session, ticket, "media_saved", "system", now, f"{media_id} -> {path}")
