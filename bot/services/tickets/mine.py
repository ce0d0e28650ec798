"""A deputy's own tickets, for their phone pages (bot/mobile): which deputy a
WeChat account is, the tickets assigned or escalated to them (overdue first,
then newest), one of them under the WeChat commands' rule (desk.may_act:
theirs, and never a confidential one), and what the page tells them after a
move or a refusal. Acting on a ticket is desk.take, the same path as the
commands; nothing here changes a ticket."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session, selectinload

from ...models import OPEN_STATUSES, Deputy, Ticket, TicketStatus
from .. import texts
from ..accounts import audit
from ..accounts.errors import NotFound
from ..calendar.local_time import BEIJING
from ..roster.voters import deputy_by_openid
from ..station import Station
from . import duplicates
from .board import overdue
from .desk import may_act
from .lifecycle import FINISHED, WAITING
from .records import by_number

_NUMBER = re.compile(r"\d{4}-\d{6}")
DONE_SHOWN = 10  # finished tickets listed under the open ones


@dataclass(frozen=True)
class Row:
    ticket: Ticket
    overdue: bool  # open and past the resolve deadline (the SLA's rule)
    waiting: bool  # not yet accepted (受理)
    linked: int  # other voters' reports merged into it


def may_use(deputy: Deputy | None) -> bool:
    """An active deputy with a WeChat binding. Deputy.openid is written only when
    staff confirm a card scan (services/accounts/bindings.py) and cleared when they
    revoke it, so a bound openid is a confirmed one."""
    return deputy is not None and bool(deputy.active) and bool(deputy.openid)


def deputy_for(session: Session, openid: str) -> Deputy | None:
    """The deputy this WeChat account speaks for, or None (not a deputy, not bound, not active)."""
    deputy = deputy_by_openid(session, openid) if openid else None
    return deputy if may_use(deputy) else None


def _theirs(deputy: Deputy) -> ColumnElement[bool]:
    # The query form of desk.may_act.
    return (or_(Ticket.deputy_id == deputy.id, Ticket.escalated_to_id == deputy.id)
            & Ticket.confidential.is_(False))


def listing(session: Session, deputy: Deputy, now: datetime, station: Station) -> list[Row]:
    """Their open tickets: overdue ones first, then the newest."""
    tickets = session.scalars(select(Ticket).where(_theirs(deputy), Ticket.status.in_(OPEN_STATUSES))
                              .options(selectinload(Ticket.village))).all()
    today = now.astimezone(BEIJING).date()
    rows = [Row(t, overdue(t.sla_started_at or t.created_at, today, station), t.status in WAITING,
                duplicates.count_linked(session, t)) for t in tickets]
    rows.sort(key=lambda r: (not r.overdue, -r.ticket.created_at.timestamp(), -r.ticket.id))
    return rows


def finished(session: Session, deputy: Deputy, limit: int = DONE_SHOWN) -> list[Ticket]:
    """Their latest finished tickets (resolved, rated, closed), newest first."""
    return list(session.scalars(select(Ticket).where(
        _theirs(deputy), Ticket.status.in_([*FINISHED, TicketStatus.CLOSED]))
        .order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(limit)))


def one(session: Session, deputy: Deputy, number: str, now: datetime, *, address: str | None = None,
        lock: bool = False) -> Ticket:
    """The ticket numbered `number` if the deputy may act on it, else NotFound: the
    same for "no such number" and "not yours" (no probing); the latter is audited.
    `lock` takes the row lock first (before an action), so the rule is checked on
    the ticket as it is, not as the page showed it."""
    wanted = (number or "").strip()[:32]
    ticket = by_number(session, wanted) if _NUMBER.fullmatch(wanted) else None
    if ticket is not None and lock:
        session.refresh(ticket, with_for_update=True)
    if ticket is None or not may_act(deputy, ticket):
        if ticket is not None:
            audit.record(session, actor=f"deputy:{deputy.id}", action="ticket.denied", target=ticket.number,
                         detail="代表手机页面：不是分派或上报给该代表的工单", address=address, now=now)
        raise NotFound(f"没有找到编号为 {wanted} 且分派或上报给您的工单")
    return ticket


def bound_deputies(session: Session) -> list[Deputy]:
    """Every deputy who could open the phone pages, by code: what the sandbox's
    simulated authorisation offers to pick from."""
    return [d for d in session.scalars(select(Deputy).where(Deputy.openid.is_not(None), Deputy.openid != "")
                                       .order_by(Deputy.code)) if may_use(d)]


def refusal(ticket: Ticket, action: str, said: str | None) -> str:
    """Why a move did not happen, for the page: a ticket still waiting must be
    accepted first (only returning it to the station needs no 受理); otherwise
    the command's own answer."""
    if ticket.status in WAITING and action != "return":
        return texts.PHONE_ACCEPT_FIRST
    return said or texts.PHONE_CANNOT.format(button=texts.PHONE_ACTIONS.get(action, action))


def done(action: str, linked: int, said: str | None) -> str:
    """What the deputy reads after a move: the command's own answer, without the
    command hints ("请发送：办结 12 …") that make sense only in the chat; when other
    voters' reports are merged in, what they were told."""
    if action not in texts.PHONE_DONE:
        return said or texts.PHONE_DONE_OTHER
    extra = texts.PHONE_DONE_LINKED.get(action) if linked else None
    return texts.PHONE_DONE[action] + (extra.format(n=linked) if extra else "")
