"""Photos and videos a voter sent with a ticket: where the worker saved them
(a "media_saved" event: "<media id> -> <path under the instance>")."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Ticket, TicketEvent


def saved(session: Session, ticket: Ticket) -> dict[str, str]:
    """media id -> path relative to the instance folder, for this ticket only."""
    notes = session.scalars(select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id,
                                                           TicketEvent.kind == "media_saved"))
    found: dict[str, str] = {}
    for note in notes:
        media_id, sep, path = (note or "").partition(" -> ")
        if sep and media_id and path and not path.startswith(("/", "..")) and "/../" not in path:
            found[media_id] = path
    return found
