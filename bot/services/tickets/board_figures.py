"""The dashboard's further figures (services/tickets/board.py has the counts
and the list): tickets by village, how long the first response and the
resolution take, and the voters' satisfaction by deputy.

Read-only, and like board.py every function takes `where`, the reader's
clause from services/accounts/access.py `visible`."""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from ...models import Deputy, Ticket, TicketEvent, TicketStatus, Village
from .. import texts

OTHER_VILLAGES = "其他村"
TOP_VILLAGES = 8
# A deputy's or staff's first move on a ticket: the voter has an answer of some kind.
RESPONSE_KINDS = ("accepted", "in_progress", "replied", "transferred", "escalated", "resolved", "rejected")
# Tickets whose latest resolution stands (not reopened since).
DONE = (TicketStatus.RESOLVED, TicketStatus.RATED, TicketStatus.CLOSED)
WINDOW = timedelta(days=365)


def by_village(session: Session, where: ColumnElement[bool], *, top: int = TOP_VILLAGES) -> list[tuple[str, int]]:
    """Tickets per village, most first; beyond the first `top`, summed as 其他村."""
    n = func.count(Ticket.id)
    rows = session.execute(select(Village.name, n).select_from(Ticket).outerjoin(Village, Ticket.village_id == Village.id)
                           .where(where).group_by(Village.name).order_by(n.desc(), Village.name)).all()
    named = [(name if name is not None else texts.UNREGISTERED_VILLAGE, int(count)) for name, count in rows]
    if len(named) <= top + 1:
        return named
    return named[:top] + [(OTHER_VILLAGES, sum(count for _, count in named[top:]))]


@dataclass(frozen=True)
class Spread:
    """How long something took, over `n` tickets: the median and the 90th percentile (nearest rank)."""

    n: int
    median: float | None
    p90: float | None


def spread(values: list[float]) -> Spread:
    if not values:
        return Spread(0, None, None)
    ordered = sorted(values)
    return Spread(len(ordered), statistics.median(ordered), ordered[math.ceil(0.9 * len(ordered)) - 1])


@dataclass(frozen=True)
class Durations:
    """In natural hours: created -> first response, created -> resolution."""

    first_response: Spread
    resolution: Spread


def durations(session: Session, where: ColumnElement[bool], *, now: datetime) -> Durations:
    """Over the visible tickets opened in the last 12 months. The first response is the
    first of RESPONSE_KINDS; the resolution is the last "resolved" of a ticket still done."""
    rows = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.created_at, Ticket.created_at, Ticket.status)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(where, Ticket.created_at >= now - WINDOW, TicketEvent.kind.in_(RESPONSE_KINDS))
        .order_by(TicketEvent.ticket_id, TicketEvent.id))
    first: dict[int, float] = {}
    resolved: dict[int, float] = {}
    for ticket_id, kind, at, created, status in rows:
        hours = max(0.0, (_aware(at) - _aware(created)).total_seconds() / 3600)
        first.setdefault(ticket_id, hours)
        if kind == "resolved" and status in DONE:
            resolved[ticket_id] = hours  # the last one wins
    return Durations(spread(list(first.values())), spread(list(resolved.values())))


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive UTC; PostgreSQL aware datetimes.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Satisfaction:
    deputy: str
    ratings: int
    average: float


def satisfaction(session: Session, where: ColumnElement[bool], *, deputy_id: int | None = None) -> list[Satisfaction]:
    """Ratings of the visible tickets by the deputy they were assigned to: how many and the
    average score, best first. `deputy_id` keeps one deputy's line (a deputy reading their own)."""
    n, average = func.count(Ticket.id), func.avg(Ticket.rating)
    query = (select(Deputy.name, n, average).join(Deputy, Ticket.deputy_id == Deputy.id)
             .where(where, Ticket.rating.is_not(None)).group_by(Deputy.id, Deputy.name)
             .order_by(average.desc(), n.desc(), Deputy.name))
    if deputy_id is not None:
        query = query.where(Ticket.deputy_id == deputy_id)
    return [Satisfaction(name, int(count), round(float(avg), 2)) for name, count, avg in session.execute(query)]

