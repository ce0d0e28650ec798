"""Duplicates: the same problem reported by several people of one village.
A new ticket in the same village and category as an open one with similar
text is linked to it (merged); the deputy handles the first one, and every
linked voter hears about each step and is asked to rate the result."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import OPEN_STATUSES, OutboundPush, Ticket, Voter
from . import texts
from .lifecycle import deputy_openid, move, to_people
from .voters import display_name

SIMILAR = 0.3  # Jaccard similarity of character bigrams
_NOISE = re.compile(r"[\W_]+")


def bigrams(text: str) -> set[str]:
    text = _NOISE.sub("", text or "")
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def similarity(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def find_similar(session: Session, voter: Voter, text: str, category: str) -> Ticket | None:
    """The oldest open ticket of another voter in the same village and category with similar text."""
    if voter.village_id is None:
        return None
    rows = session.scalars(select(Ticket).where(
        Ticket.village_id == voter.village_id, Ticket.category == category, Ticket.voter_id != voter.id,
        Ticket.status.in_(OPEN_STATUSES), Ticket.duplicate_of_id.is_(None)).order_by(Ticket.id)).all()
    return next((t for t in rows if similarity(t.text, text) >= SIMILAR), None)


def linked(session: Session, primary: Ticket) -> list[Ticket]:
    """Tickets merged into `primary` and still waiting with it."""
    return list(session.scalars(select(Ticket).where(Ticket.duplicate_of_id == primary.id,
                                                     Ticket.status == "merged").order_by(Ticket.id)))


def count_linked(session: Session, primary: Ticket) -> int:
    return session.scalar(select(func.count(Ticket.id)).where(Ticket.duplicate_of_id == primary.id,
                                                              Ticket.status == "merged")) or 0


def link(session: Session, ticket: Ticket, primary: Ticket, now: datetime) -> list[OutboundPush]:
    """Merge a new ticket into the open one it repeats, and tell that ticket's deputy."""
    ticket.duplicate_of_id, ticket.deputy_id, ticket.needs_triage = primary.id, primary.deputy_id, False
    ticket.escalated_to_id = primary.escalated_to_id
    event = move(session, ticket, "merge", "system", now, primary.number)
    n = count_linked(session, primary)
    village = ticket.village.name if ticket.village else "未登记村"
    text = texts.DEPUTY_DUPLICATE.format(n=n, number=primary.number, category=ticket.category, village=village,
                                         who=display_name(ticket.voter.name), text=ticket.text)
    openids = [deputy_openid(primary.deputy), deputy_openid(primary.escalated_to)]
    return to_people(session, ticket, event, openids, "ticket_duplicate", text, texts.DEPUTY_NEW_TICKET_TITLE, now)
