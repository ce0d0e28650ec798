"""One month of every site's reception days, as the staff console shows it:
weeks from Monday, each day with its statutory holiday or make-up working day
(调休上班) and the receptions held on it (moved ones on their new day,
cancelled ones marked), plus the days' bookings counted."""
from __future__ import annotations

import calendar as cal_module
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import ReceptionBooking
from ..calendar.holidays import month_facts
from .calendar import Calendar, Occurrence, missing_holiday_years


@dataclass
class Day:
    date: date
    in_month: bool
    holiday: str | None = None
    makeup: bool = False  # a weekend working day (调休上班)
    receptions: list[Occurrence] = field(default_factory=list)

    @property
    def weekend(self) -> bool:
        return self.date.weekday() >= 5


@dataclass
class Month:
    year: int
    month: int
    weeks: list[list[Day]]
    receptions: list[Occurrence]  # held (or cancelled) in this month, by date
    booked: dict[int, int]  # reception id -> voters booked
    missing_years: list[int]

    @property
    def title(self) -> str:
        return f"{self.year}年{self.month}月"

    def step(self, months: int) -> str:
        y, m = divmod(self.year * 12 + self.month - 1 + months, 12)
        return f"{y}-{m + 1:02d}"


def parse_month(text: str | None, today: date) -> tuple[int, int]:
    """"2026-12" -> (2026, 12); anything else is this month."""
    try:
        y, m = (int(x) for x in (text or "").split("-"))
        if 2000 <= y <= 2100 and 1 <= m <= 12:
            return y, m
    except ValueError:
        pass
    return today.year, today.month


def month(session: Session, year: int, month_no: int) -> Month:
    first = date(year, month_no, 1)
    last = date(year, month_no, cal_module.monthrange(year, month_no)[1])
    start, end = first - timedelta(days=first.weekday()), last + timedelta(days=6 - last.weekday())
    cal = Calendar(session)
    # Two months either side: a reception may be moved up to 31 days, or a holiday may push it across.
    back = date(year - 1, month_no + 10, 1) if month_no <= 2 else date(year, month_no - 2, 1)
    around = [o for o in cal.plan(back, 5) if start <= o.date <= end]
    facts = month_facts(cal.holidays, start, end)
    days = {d: Day(d, d.month == month_no, *facts[d]) for d in facts}
    for occ in around:
        days[occ.date].receptions.append(occ)
    ordered = [days[d] for d in sorted(days)]
    weeks = [ordered[i:i + 7] for i in range(0, len(ordered), 7)]
    shown = [o for o in around if first <= o.date <= last]
    ids = [o.reception_id for o in shown if o.reception_id]
    booked = dict(session.execute(
        select(ReceptionBooking.reception_id, func.count(ReceptionBooking.id))
        .where(ReceptionBooking.reception_id.in_(ids), ReceptionBooking.status == "booked")
        .group_by(ReceptionBooking.reception_id)).all()) if ids else {}
    return Month(year, month_no, weeks, shown, booked, missing_holiday_years(shown))
