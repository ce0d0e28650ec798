"""What the staff console shows about tickets: the dashboard's counts and
charts, the filtered list, one ticket with its messages, events and pushes.

Read-only. Every function takes `where`, the clause saying which tickets the
reader may see (services/accounts/access.py `visible`), so nobody's list,
count or chart includes a ticket they could not open."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ...models import (OPEN_STATUSES, Deputy, InboundMessage, Mandate, OutboundPush, Site, Ticket, TicketEvent,
                       Village, Voter)
from ..calendar.local_time import BEIJING
from ..calendar.workdays import add_workdays
from ..station import Station
from . import search as text_search

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Filters:
    """The list's filters; None or "" means any. Dates are Beijing dates, both inclusive."""

    status: str | None = None
    category: str | None = None
    village_id: int | None = None
    deputy_id: int | None = None
    since: date | None = None
    until: date | None = None
    urgent: bool | None = None
    text: str | None = None
    site_id: int | None = None
    overdue: bool | None = None  # True: open and past the resolve deadline; False: all the others


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BEIJING)


def overdue(ticket_start: datetime, today: date, station: Station) -> bool:
    """Past the resolve deadline: the rule services/tickets/sla.py reports on."""
    return today >= add_workdays(ticket_start.astimezone(BEIJING).date(), station.resolve_days)


def _open_and_overdue(session: Session, where: ColumnElement[bool], *, now: datetime,
                      station: Station) -> tuple[int, list[int]]:
    """How many visible tickets are open, and the ids of those past the resolve deadline."""
    starts = session.execute(select(Ticket.id, Ticket.sla_started_at, Ticket.created_at)
                             .where(Ticket.status.in_(OPEN_STATUSES), where)).all()
    today = now.astimezone(BEIJING).date()
    return len(starts), [id_ for id_, started, created in starts if overdue(started or created, today, station)]


def counts(session: Session, where: ColumnElement[bool], *, now: datetime, station: Station) -> dict[str, int]:
    """Open, overdue (open and past the resolve deadline) and urgent open tickets."""
    total, late = _open_and_overdue(session, where, now=now, station=station)
    urgent = session.scalar(select(func.count(Ticket.id)).where(Ticket.status.in_(OPEN_STATUSES), where,
                                                                Ticket.urgent.is_(True))) or 0
    return {"open": total, "overdue": len(late), "urgent": int(urgent)}


def by_category(session: Session, where: ColumnElement[bool]) -> list[tuple[str, int]]:
    rows = session.execute(select(Ticket.category, func.count(Ticket.id)).where(where)
                           .group_by(Ticket.category).order_by(func.count(Ticket.id).desc(), Ticket.category))
    return [(category, int(n)) for category, n in rows]


def by_month(session: Session, where: ColumnElement[bool], *, now: datetime, months: int = 12) -> list[tuple[str, int]]:
    """Tickets opened per Beijing month, the last `months` months, oldest first (empty months as 0)."""
    today = now.astimezone(BEIJING).date()
    labels: list[str] = []
    year, month = today.year, today.month
    for _ in range(months):
        labels.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    labels.reverse()
    first = _start_of(date(int(labels[0][:4]), int(labels[0][5:]), 1))
    tally = dict.fromkeys(labels, 0)
    # Grouped here, not in SQL: month extraction differs between SQLite and PostgreSQL.
    for (created,) in session.execute(select(Ticket.created_at).where(where, Ticket.created_at >= first)):
        label = created.astimezone(BEIJING).strftime("%Y-%m")
        if label in tally:
            tally[label] += 1
    return list(tally.items())


def _conditions(f: Filters) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if f.status:
        out.append(Ticket.status == f.status)
    if f.category:
        out.append(Ticket.category == f.category)
    if f.village_id:
        out.append(Ticket.village_id == f.village_id)
    if f.deputy_id:
        out.append(or_(Ticket.deputy_id == f.deputy_id, Ticket.escalated_to_id == f.deputy_id))
    if f.since:
        out.append(Ticket.created_at >= _start_of(f.since))
    if f.until:
        out.append(Ticket.created_at < _start_of(f.until + timedelta(days=1)))
    if f.urgent is not None:
        out.append(Ticket.urgent.is_(f.urgent))
    if f.site_id:
        out.append(Ticket.site_id == f.site_id)
    return out


def search(session: Session, where: ColumnElement[bool], filters: Filters, *, page: int = 1,
           per_page: int = 30, now: datetime | None = None,
           station: Station | None = None) -> tuple[list[Ticket], int]:
    """One page of matching tickets, newest first, and how many match in all.
    The overdue filter needs `now` and `station` (the SLA's deadline, as `counts`)."""
    conditions = [where, *_conditions(filters)]
    if filters.overdue is not None:
        if now is None or station is None:
            raise ValueError("the overdue filter needs now and station")
        late = Ticket.id.in_(_open_and_overdue(session, where, now=now, station=station)[1])
        conditions.append(late if filters.overdue else ~late)
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, int(page))
    load = select(Ticket).options(selectinload(Ticket.deputy), selectinload(Ticket.village))
    if filters.text and filters.text.strip():
        # The text is sealed: the blind index finds candidates, their decrypted text decides.
        ids = text_search.matching_ids(session, filters.text, *conditions)
        shown = ids[(page - 1) * per_page:page * per_page]
        found = {t.id: t for t in session.scalars(load.where(Ticket.id.in_(shown)))} if shown else {}
        return [found[i] for i in shown], len(ids)
    total = session.scalar(select(func.count(Ticket.id)).where(*conditions)) or 0
    rows = session.scalars(load.where(*conditions)
                           .order_by(Ticket.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), int(total)


def choices(session: Session, where: ColumnElement[bool]) -> dict[str, list[Any]]:
    """What the list's filters offer: categories of visible tickets, villages, deputies, sites."""
    categories = session.scalars(select(Ticket.category).where(where).distinct().order_by(Ticket.category)).all()
    villages = session.execute(select(Village.id, Village.name).order_by(Village.code)).all()
    sites = session.execute(select(Site.id, Site.name).order_by(Site.code)).all()
    deputies = session.execute(select(Deputy.id, Deputy.name).where(Deputy.active.is_(True))
                               .order_by(Deputy.code)).all()
    return {"categories": list(categories), "villages": [tuple(v) for v in villages],
            "deputies": [tuple(d) for d in deputies], "sites": [tuple(x) for x in sites]}


@dataclass
class Detail:
    ticket: Ticket
    messages: list[InboundMessage]
    events: list[TicketEvent]
    pushes: list[OutboundPush]


def detail(session: Session, ticket: Ticket) -> Detail:
    """A ticket the reader may see, with the voter's messages, its events and its pushes, oldest first."""
    messages = session.scalars(select(InboundMessage).where(InboundMessage.ticket_id == ticket.id)
                               .order_by(InboundMessage.id)).all()
    events = session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                             .order_by(TicketEvent.id)).all()
    pushes = session.scalars(select(OutboundPush).where(OutboundPush.ticket_id == ticket.id)
                             .order_by(OutboundPush.id)).all()
    return Detail(ticket, list(messages), list(events), list(pushes))


@dataclass
class Queue:
    """The staff triage page: what needs a person before a deputy can act."""
    unsure: list[Ticket]  # the classifier was unsure; a deputy has it, the category wants checking
    unassigned: list[Ticket]  # open, and no deputy
    unknown_voters: list[Ticket]  # open, from voters not on the roster (WeChat only)


def triage_queue(session: Session, where: ColumnElement[bool], limit: int = 200) -> Queue:
    def rows(*conditions: ColumnElement[bool]) -> list[Ticket]:
        return list(session.scalars(select(Ticket).where(where, Ticket.status.in_(OPEN_STATUSES), *conditions)
                                    .options(selectinload(Ticket.deputy), selectinload(Ticket.village))
                                    .order_by(Ticket.id).limit(limit)))

    return Queue(unsure=rows(Ticket.needs_triage.is_(True), Ticket.deputy_id.is_not(None)),
                 unassigned=rows(Ticket.deputy_id.is_(None)),
                 unknown_voters=rows(Ticket.voter.has(Voter.code.is_(None))))


def assignable(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the active township deputies, whom staff may assign tickets to."""
    rows = session.execute(select(Deputy.code, Deputy.name).where(
        Deputy.active.is_(True), Deputy.mandates.any(Mandate.level == "township")).order_by(Deputy.code))
    return [(code, name) for code, name in rows]
