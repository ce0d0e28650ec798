"""Duplicates: the same problem reported by several people of one village.
A new ticket in the same village and category as an open one with similar
text is linked to it (merged); the deputy handles the first one, and every
linked voter hears about each step and is asked to rate the result."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import OPEN_STATUSES, OutboundPush, Ticket, TicketStatus, Voter
from .. import texts
from ..roster.voters import display_name, village_name
from . import confidential
from .followup import holders
from .lifecycle import NotAllowed, allowed, deputy_openid, move, to_people

SIMILAR = 0.5  # share of the shorter text's content bigrams found in the other
MIN_SHARED = 2  # and at least this many shared content bigrams
# A family's own case is never "the same problem" as a neighbour's, however alike the words.
PERSONAL = frozenset({"民政", "劳动和社会保障", "政法", "纪检监察", "卫生计生"})
_NOISE = re.compile(r"[\W_]+")
# Words every report shares; they say nothing about which problem it is.
_GENERIC = re.compile(r"我们|我家|家里|门口|村里|村口|村民|一直|还是|还没|没有|好几|现在|已经|问题|反映|希望|请|了|的|也|都|很|啊|呀|吧")


def bigrams(text: str) -> set[str]:
    text = _GENERIC.sub("", _NOISE.sub("", text or ""))
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def similarity(a: str, b: str) -> float:
    x, y = bigrams(a), bigrams(b)
    shared = len(x & y)
    return shared / min(len(x), len(y)) if x and y and shared >= MIN_SHARED else 0.0


def find_similar(session: Session, voter: Voter, text: str, category: str) -> Ticket | None:
    """The oldest open ticket of another voter in the same village and category with similar text.
    Personal cases (benefits, wages, disputes...) are never merged, nor a report onto a ticket
    whose deputy can no longer be reached: that would be new work for them, nor anything onto a
    confidential ticket (its words and its voter are for the staff alone)."""
    if voter.village_id is None or category in PERSONAL:
        return None
    rows = session.scalars(select(Ticket).where(
        Ticket.village_id == voter.village_id, Ticket.category == category, Ticket.voter_id != voter.id,
        Ticket.status.in_(OPEN_STATUSES), Ticket.duplicate_of_id.is_(None), Ticket.confidential.is_(False))
        .order_by(Ticket.id)).all()
    return next((t for t in rows if (t.deputy is None or t.deputy.reachable)
                 and similarity(t.text, text) >= SIMILAR), None)


def linked(session: Session, primary: Ticket) -> list[Ticket]:
    """Tickets merged into `primary` and still waiting with it."""
    return list(session.scalars(select(Ticket).where(Ticket.duplicate_of_id == primary.id,
                                                     Ticket.status == TicketStatus.MERGED).order_by(Ticket.id)))


def count_linked(session: Session, primary: Ticket) -> int:
    return session.scalar(select(func.count(Ticket.id)).where(Ticket.duplicate_of_id == primary.id,
                                                              Ticket.status == TicketStatus.MERGED)) or 0


def link(session: Session, ticket: Ticket, primary: Ticket, now: datetime,
         actor: str = "system") -> list[OutboundPush]:
    """Merge a new ticket into the open one it repeats, and tell that ticket's deputy."""
    if not allowed(ticket, "merge"):
        raise NotAllowed(ticket, "merge")
    ticket.duplicate_of_id, ticket.deputy_id, ticket.needs_triage = primary.id, primary.deputy_id, False
    ticket.escalated_to_id = primary.escalated_to_id
    event = move(session, ticket, "merge", actor, now, primary.number)
    n = count_linked(session, primary)
    village = village_name(ticket.village)
    text = texts.DEPUTY_DUPLICATE.format(n=n, number=primary.number, category=ticket.category, village=village,
                                         who=display_name(ticket.voter.name), text=ticket.text)
    openids = [deputy_openid(primary.deputy), deputy_openid(primary.escalated_to)]
    return to_people(session, ticket, event, openids, "ticket_duplicate", text, texts.DEPUTY_NEW_TICKET_TITLE, now)


class MergeError(ValueError):
    """A merge staff asked for that cannot be done; the message is for staff (Chinese)."""


def merge(session: Session, ticket: Ticket, primary: Ticket | None, by: str, now: datetime) -> list[OutboundPush]:
    """Staff: merge `ticket` into `primary`, an open ticket on its own. Raises
    MergeError, or lifecycle.NotAllowed once `ticket` is being handled."""
    if primary is None:
        raise MergeError(texts.MERGE_NO_PRIMARY.format(number="?"))
    if primary.id == ticket.id:
        raise MergeError(texts.MERGE_SELF)
    if ticket.confidential or primary.confidential:
        raise MergeError(texts.MERGE_CONFIDENTIAL.format(number=(ticket if ticket.confidential else primary).number))
    if primary.status not in OPEN_STATUSES or primary.duplicate_of_id is not None:
        raise MergeError(texts.MERGE_PRIMARY_CLOSED.format(
            number=primary.number, status=texts.STATUS_NAMES.get(primary.status, primary.status)))
    if count_linked(session, ticket):  # duplicates point at one primary, never a chain
        raise MergeError(texts.MERGE_HAS_DUPLICATES.format(number=ticket.number))
    named = confidential.naming(ticket, holders(primary))
    if named:  # its words would reach the deputy they are about
        raise MergeError(texts.MERGE_NAMES_DEPUTY.format(number=ticket.number, deputy=named, primary=primary.number))
    return link(session, ticket, primary, now, f"staff:{by.strip()[:100]}")
