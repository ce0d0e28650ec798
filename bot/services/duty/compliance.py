"""How far each deputy's year is against the ten "十个一" items (items.py):
required, done, what is due by a given day, and whether they are behind.

Done: the deputy's activities of that kind in the year with `counts` set,
dated on or before the as-of day (a report "as of 1 July" ignores what came
later). `as_of` is a Beijing date: the deputy still has that whole day, so a
deadline falling on it is not yet missed.

Deadlines come from the cadence:
- monthly (走访选民): one by the end of each month;
- half-yearly (学习培训): one by 30 June, two by 31 December;
- yearly (the other eight): one by 31 December.

Behind means fewer done than due as of the day. A monthly deadline becomes due
once it has passed: on 1 February one visit is due, on 31 January none yet.
Items due only once a half-year or a year would be noticed too late that way,
so each of their deadlines becomes due two months ahead, on the first day of
the month before the deadline's month: the first study from 1 May, the second
and every yearly item from 1 November. From 1 November a deputy with no
mediation yet is behind, and the November and December nudges name it. Once
the year is over everything is due. Visits are counted, not matched to months:
two in February make up for none in January.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import ITEM_KINDS, Deputy, DutyActivity
from .items import HALF, ITEMS, MONTH, YEAR, Item

# Months ahead of a half-yearly or yearly deadline that it counts as due (see the module doc).
LEAD_MONTHS = 1
CADENCE_NAMES = {MONTH: "每月至少一次", HALF: "每半年至少一次", YEAR: "每年至少一次"}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def deadlines(item: Item, year: int) -> tuple[date, ...]:
    """The days by which the 1st, 2nd ... of the year's required count is due."""
    if item.cadence == MONTH:
        return tuple(_month_end(year, m) for m in range(1, 13))
    if item.cadence == HALF:
        return date(year, 6, 30), date(year, 12, 31)
    return (date(year, 12, 31),)


def due_from(item: Item, deadline: date) -> date:
    """The first day on which a deputy without this one counts as behind."""
    if item.cadence == MONTH:
        return deadline + timedelta(days=1)
    month = deadline.month - LEAD_MONTHS
    return date(deadline.year, month, 1)


def due_count(item: Item, year: int, as_of: date) -> int:
    """How many of the year's required count are due by `as_of`."""
    return sum(1 for d in deadlines(item, year) if due_from(item, d) <= as_of)


@dataclass(frozen=True)
class ItemStatus:
    item: Item
    required: int
    done: int
    due: int  # how many are due by the as-of day
    deadlines: tuple[date, ...]
    next_deadline: date | None  # the first deadline not yet passed with the count short of it
    next_count: int  # how many should be done by then, in all

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def behind(self) -> bool:
        return self.done < self.due

    @property
    def complete(self) -> bool:
        return self.done >= self.required

    @property
    def short(self) -> int:
        """How many more would catch up."""
        return max(0, self.due - self.done)


@dataclass(frozen=True)
class DeputyYear:
    deputy_id: int
    code: str
    name: str
    year: int
    as_of: date
    items: tuple[ItemStatus, ...]

    @property
    def behind(self) -> list[ItemStatus]:
        return [s for s in self.items if s.behind]

    def item(self, kind: str) -> ItemStatus:
        return next(s for s in self.items if s.kind == kind)

    def as_dict(self) -> dict:
        """The report's JSON entry (`liaison duty report --json`)."""
        return {"code": self.code, "name": self.name,
                "items": {s.kind: {"required": s.required, "done": s.done, "behind": s.behind}
                          for s in self.items}}


def status(item: Item, year: int, as_of: date, done: int) -> ItemStatus:
    days = deadlines(item, year)
    upcoming = [(d, i) for i, d in enumerate(days, start=1) if d >= as_of and done < i]
    deadline, count = upcoming[0] if upcoming else (None, 0)
    return ItemStatus(item=item, required=item.required, done=done, due=due_count(item, year, as_of),
                      deadlines=days, next_deadline=deadline, next_count=count)


def _done(session: Session, year: int, as_of: date, deputy_ids: Iterable[int] | None) -> dict[tuple[int, str], int]:
    last = min(as_of, date(year, 12, 31))
    query = (select(DutyActivity.deputy_id, DutyActivity.kind, func.count())
             .where(DutyActivity.counts.is_(True), DutyActivity.kind.in_(ITEM_KINDS),
                    DutyActivity.day >= date(year, 1, 1), DutyActivity.day <= last)
             .group_by(DutyActivity.deputy_id, DutyActivity.kind))
    if deputy_ids is not None:
        query = query.where(DutyActivity.deputy_id.in_(list(deputy_ids)))
    return {(d, k): n for d, k, n in session.execute(query)}


def of_deputy(deputy: Deputy, year: int, as_of: date, done: dict[tuple[int, str], int]) -> DeputyYear:
    return DeputyYear(deputy_id=deputy.id, code=deputy.code, name=deputy.name, year=year, as_of=as_of,
                      items=tuple(status(i, year, as_of, done.get((deputy.id, i.kind), 0)) for i in ITEMS))


def report(session: Session, year: int, as_of: date) -> list[DeputyYear]:
    """Every deputy in office (active in the roster), by code."""
    deputies = list(session.scalars(select(Deputy).where(Deputy.active.is_(True)).order_by(Deputy.code)))
    done = _done(session, year, as_of, None)
    return [of_deputy(d, year, as_of, done) for d in deputies]


def one(session: Session, deputy: Deputy, year: int, as_of: date) -> DeputyYear:
    """One deputy's year (whether or not still in office: their record stays readable)."""
    return of_deputy(deputy, year, as_of, _done(session, year, as_of, [deputy.id]))
