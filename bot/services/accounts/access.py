"""Who may see and do what in the staff console. The web layer asks these
functions and never decides itself.

- admin, staff: every ticket, every desk action.
- county (县人大): tickets escalated (上报) to the county or above, that is with
  an "escalated" event not undone by a later return to triage ("returned") or a
  release from a merge ("unmerged"), or carrying the upper deputy they went to
  (`escalated_to_id`, which a merged duplicate shares with its primary). Not
  Ticket.level: the classifier sets that at intake, staff corrections reset it,
  and it stays "city" after a return.
- deputy: tickets assigned to them or escalated to them, as on WeChat
  (services/tickets/desk.py `may_act`).
- A confidential ticket (services/tickets/confidential.py) is for admin and
  staff alone: neither a county nor a deputy account sees it or acts on it.

Whether the ticket's status allows an action is the lifecycle's business
(services/tickets/lifecycle.py); `can` says only whether this person may try."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session, aliased

from ...models import Role, Ticket, TicketEvent, User
from . import audit
from .errors import ROLE_NAMES, Forbidden, NotFound

DESK_ACTIONS = frozenset({"reclassify", "assign", "reject", "transfer", "escalate", "note", "merge", "accept",
                          "reply", "resolve"})
COUNTY_ACTIONS = frozenset({"reply", "resolve", "note", "transfer", "escalate"})
DEPUTY_ACTIONS = frozenset({"accept", "reply", "resolve", "note", "escalate", "transfer"})
# Event kinds that move a ticket up, and those that take it back down (see the module doc).
UP = "escalated"
DOWN = ("returned", "unmerged")

_FULL = re.compile(r"(\d{4})\s*-\s*(\d{1,6})")
_SHORT = re.compile(r"\d{1,6}")


def _escalated() -> ColumnElement[bool]:
    up, down = aliased(TicketEvent), aliased(TicketEvent)
    undone = exists(select(down.id).where(down.ticket_id == Ticket.id, down.kind.in_(DOWN), down.id > up.id))
    went_up = exists(select(up.id).where(up.ticket_id == Ticket.id, up.kind == UP, ~undone))
    return or_(Ticket.escalated_to_id.is_not(None), went_up)


def is_escalated(ticket: Ticket) -> bool:
    """The same rule as the query, on a loaded ticket."""
    if ticket.escalated_to_id is not None:
        return True
    last = None
    for event in sorted(ticket.events, key=lambda e: e.id):
        if event.kind == UP or event.kind in DOWN:
            last = event.kind
    return last == UP


def _deputy_id(user: User) -> int | None:
    return user.deputy_id if user.role == Role.DEPUTY else None


def own_deputy(user: User) -> int | None:
    """The deputy a deputy's account speaks for, whose figures (satisfaction) are all
    it may see of deputies' figures; None for other roles, who see those of every visible ticket."""
    return _deputy_id(user) if user is not None else None


def visible(user: User) -> ColumnElement[bool]:
    """A where-clause on Ticket: the tickets this user may see."""
    if user is None or not user.active:
        return false()
    if user.role in (Role.ADMIN, Role.STAFF):
        return true()
    if user.role == Role.COUNTY:
        return and_(Ticket.confidential.is_(False), _escalated())
    deputy_id = _deputy_id(user)
    if deputy_id is None:
        return false()
    return and_(Ticket.confidential.is_(False), or_(Ticket.deputy_id == deputy_id, Ticket.escalated_to_id == deputy_id))


def _may_see(user: User, ticket: Ticket) -> bool:
    if user is None or not user.active:
        return False
    if user.role in (Role.ADMIN, Role.STAFF):
        return True
    if ticket.confidential:
        return False
    if user.role == Role.COUNTY:
        return is_escalated(ticket)
    deputy_id = _deputy_id(user)
    return deputy_id is not None and deputy_id in (ticket.deputy_id, ticket.escalated_to_id)


def ticket_for(session: Session, user: User, number: str, *, address: str | None, now: datetime) -> Ticket:
    """The ticket numbered `number` ("123" or "2026-000123") if this user may see
    it. Otherwise NotFound, the same whether it does not exist or is not
    theirs; the second is audited "ticket.denied"."""
    wanted = (number or "").strip()
    missing = NotFound(f"没有找到编号为 {wanted[:32]} 的工单")
    full, short = _FULL.fullmatch(wanted), _SHORT.fullmatch(wanted)
    if full:
        label = f"{full.group(1)}-{int(full.group(2)):06d}"
        candidates = list(session.scalars(select(Ticket).where(Ticket.number == label)))
    elif short:
        candidates = list(session.scalars(select(Ticket).where(Ticket.number.like(f"%-{int(wanted):06d}"))
                                          .order_by(Ticket.id.desc())))
    else:
        raise missing
    if not candidates:
        raise missing
    seen = [t for t in candidates if _may_see(user, t)]
    if seen:
        return seen[0]
    audit.record(session, actor=user.username if user is not None else "-", action="ticket.denied",
                 target=candidates[0].number, detail=f"{ROLE_NAMES.get(user.role, user.role)}账号无权查看",
                 address=address, now=now)
    raise missing


def require(user: User, *roles: str) -> None:
    """Raises Forbidden unless the user is active and has one of `roles`."""
    if user is None or not user.active or user.role not in roles:
        names = "、".join(ROLE_NAMES.get(r, r) for r in roles)
        raise Forbidden(f"没有权限：这项操作需要{names}账号")


def can(user: User, action: str, ticket: Ticket) -> bool:
    """Whether this user may take desk `action` on `ticket` (its status aside)."""
    if action not in DESK_ACTIONS:
        raise ValueError(f"unknown desk action: {action}")
    if user is None or not user.active:
        return False
    if user.role in (Role.ADMIN, Role.STAFF):
        return True
    if ticket.confidential:
        return False
    if user.role == Role.COUNTY:
        return action in COUNTY_ACTIONS and is_escalated(ticket)
    if user.role == Role.DEPUTY:
        deputy_id = _deputy_id(user)
        return action in DEPUTY_ACTIONS and deputy_id is not None and deputy_id in (ticket.deputy_id,
                                                                                   ticket.escalated_to_id)
    return False


def actor(user: User) -> str:
    """How a console user's moves are recorded on ticket events: a deputy as on
    WeChat (services/tickets/desk.py), everybody else by role and username."""
    if user.role == Role.DEPUTY and user.deputy_id is not None:
        return f"deputy:{user.deputy_id}"
    return f"{'county' if user.role == Role.COUNTY else 'staff'}:{user.username}"
