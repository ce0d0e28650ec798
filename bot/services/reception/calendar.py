"""Reception days (接待选民日): the calendar of every site.

A site's rule gives the day of the month, hours and place (the demo: the
station on the 20th, the points on the 10th). A statutory holiday moves the
day under the rule's policy (default: the next working day; weekends are
kept). Staff move or cancel one reception; those already reminded are told.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Reception, ReceptionDuty, ReceptionRule, Site
from ..calendar.holidays import Holidays
from ..calendar.local_time import BEIJING
from . import rota

WEEKDAYS = "一二三四五六日"


class ReceptionError(ValueError):
    """A change staff asked for that cannot be made; the message (Chinese) is for them."""


def describe(d: date) -> str:
    return f"{d.month}月{d.day}日"


def describe_day(d: date) -> str:
    return f"{d.month}月{d.day}日（周{WEEKDAYS[d.weekday()]}）"


def beijing_today(now: datetime) -> date:
    return now.astimezone(BEIJING).date()


@dataclass(frozen=True)
class Occurrence:
    site_id: int
    site_code: str
    site_name: str
    nominal: date
    date: date
    starts: str
    ends: str
    place: str
    capacity: int
    cancelled: bool = False
    moved_for: str | None = None  # the holiday it was moved from, or "staff"
    holiday_data: bool = True  # False: the year has no official holiday data
    deputies: tuple[rota.OnDuty, ...] = field(default_factory=tuple)
    reception_id: int | None = None

    @property
    def hours(self) -> str:
        noon = "上午" if self.starts < "12:00" else "下午"
        return f"{noon} {self.starts.lstrip('0')}–{self.ends.lstrip('0')}"

    @property
    def names(self) -> str:
        return "、".join(d.name for d in self.deputies)

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "weekday": f"周{WEEKDAYS[self.date.weekday()]}",
                "site": self.site_code, "site_name": self.site_name, "starts": self.starts,
                "ends": self.ends, "place": self.place, "deputies": [d.name for d in self.deputies],
                "nominal": self.nominal.isoformat(), "moved_for": self.moved_for,
                "cancelled": self.cancelled, "holiday_data": self.holiday_data}


def rule_for(session: Session, site: Site) -> ReceptionRule:
    """The site's rule; without one, the roster's reception day and defaults (not stored)."""
    rule = session.scalar(select(ReceptionRule).where(ReceptionRule.site_id == site.id))
    if rule is None:
        rule = ReceptionRule(site_id=site.id, day_of_month=site.reception_day, starts="09:00", ends="12:00",
                             place="", holiday_policy="next_workday", duty_count=2, capacity=20, active=True)
    return rule


def nominal_date(day_of_month: int, year: int, month: int) -> date:
    return date(year, month, min(day_of_month, calendar.monthrange(year, month)[1]))


def _months(first: date, count: int):
    y, m = first.year, first.month
    for _ in range(count):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


class Calendar:
    """Reads rules, holidays, stored receptions and the duty pools once."""

    def __init__(self, session: Session):
        self.session = session
        self.holidays = Holidays(session)
        self.sites = list(session.scalars(select(Site).order_by(Site.id)))
        self.rules = {s.id: rule_for(session, s) for s in self.sites}
        self.pools = rota.pools(session)

    def occurrence(self, site: Site, year: int, month: int) -> Occurrence | None:
        rule = self.rules[site.id]
        if not rule.active:
            return None
        nominal = nominal_date(rule.day_of_month, year, month)
        stored = self.session.scalar(select(Reception).where(Reception.site_id == site.id,
                                                             Reception.nominal == nominal))
        day, moved_for = self.holidays.shift(nominal, rule.holiday_policy)
        if stored is not None and stored.moved_to is not None:
            day, moved_for = stored.moved_to, "staff"
        # Staff's duty roster, without deputies no longer in office; if none is left, the rota's turn.
        kept = [d.deputy for d in stored.duties if d.deputy.active] if stored is not None else []
        if kept:
            on_duty = tuple(rota.OnDuty.of(d) for d in kept)
        else:
            on_duty = tuple(rota.rotation(self.pools.get(site.id, []), month, rule.duty_count))
        return Occurrence(site.id, site.code, site.name, nominal, day, rule.starts, rule.ends,
                          rule.place or site.address or site.name, rule.capacity,
                          cancelled=bool(stored and stored.cancelled), moved_for=moved_for,
                          holiday_data=self.holidays.known(nominal.year), deputies=on_duty,
                          reception_id=stored.id if stored else None)

    def plan(self, first: date, months: int, site_ids: set[int] | None = None) -> list[Occurrence]:
        out = []
        for y, m in _months(first, months):
            for site in self.sites:
                if site_ids is None or site.id in site_ids:
                    occ = self.occurrence(site, y, m)
                    if occ is not None:
                        out.append(occ)
        return sorted(out, key=lambda o: (o.date, o.site_id))

    def on(self, day: date) -> list[Occurrence]:
        """Receptions held on this day (a holiday or staff may have moved them from another month)."""
        around = self.plan(date(day.year, day.month, 1) - timedelta(days=62), 4)
        return [o for o in around if o.date == day and not o.cancelled]

    def next_for(self, site_id: int, today: date) -> Occurrence | None:
        first = date(today.year, today.month, 1) - timedelta(days=1)
        for occ in self.plan(first, 4, {site_id}):
            if occ.date >= today and not occ.cancelled:
                return occ
        return None


def missing_holiday_years(occurrences: list[Occurrence]) -> list[int]:
    return sorted({o.nominal.year for o in occurrences if not o.holiday_data})


def materialize(session: Session, occ: Occurrence) -> Reception:
    """The stored reception for an occurrence, created with its duty roster."""
    rec = session.scalar(select(Reception).where(Reception.site_id == occ.site_id,
                                                 Reception.nominal == occ.nominal))
    if rec is None:
        rec = Reception(site_id=occ.site_id, nominal=occ.nominal, cancelled=False, note="", changed_by="")
        session.add(rec)
        session.flush()
    if not rec.duties:
        for d in occ.deputies:
            rec.duties.append(ReceptionDuty(deputy_id=d.id))
        session.flush()
    return rec


def find(session: Session, site_code: str, nominal: date) -> tuple[Site, Occurrence]:
    site = session.scalar(select(Site).where(Site.code == site_code))
    if site is None:
        raise LookupError(f"no site with code {site_code!r}")
    cal = Calendar(session)
    occ = cal.occurrence(site, nominal.year, nominal.month)
    if occ is None or occ.nominal != nominal:
        raise LookupError(f"{site.name} has no reception nominally on {nominal.isoformat()}")
    return site, occ
