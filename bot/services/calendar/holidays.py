"""Which days are statutory holidays and which are working days.

chinese-calendar carries the State Council's yearly holiday notices up to the
year it was released for (2026 in 1.11); for later years staff enter the
official holidays and make-up working days (调休上班) themselves
(`liaison reception holidays add`). Staff entries win over the package.
"""
from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from sqlalchemy import extract, select
from sqlalchemy.orm import Session

from ...models import HolidayDay


def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


class Holidays:
    """Holiday facts for a session; staff entries are read once per year."""

    def __init__(self, session: Session):
        self.session = session
        self._staff: dict[int, dict[date, HolidayDay]] = {}

    def _year(self, year: int) -> dict[date, HolidayDay]:
        if year not in self._staff:
            rows = self.session.scalars(select(HolidayDay).where(extract("year", HolidayDay.day) == year))
            self._staff[year] = {row.day: row for row in rows}
        return self._staff[year]

    def known(self, year: int) -> bool:
        """True when this year's official holidays are known (package or staff)."""
        return package_knows(year) or bool(self._year(year))

    def holiday_name(self, d: date) -> str | None:
        """The statutory holiday this day belongs to, or None (weekends are not holidays here)."""
        staff = self._year(d.year).get(d)
        if staff is not None:
            return (staff.name or "法定节假日") if staff.kind == "holiday" else None
        if package_knows(d.year):
            name = chinese_calendar.holidays.get(d)
            return HOLIDAY_NAMES.get(name, name) if name else None
        return None

    def is_workday(self, d: date) -> bool:
        staff = self._year(d.year).get(d)
        if staff is not None:
            return staff.kind == "workday"
        if package_knows(d.year):
            return chinese_calendar.is_workday(d)
        return d.weekday() < 5

    def shift(self, d: date, policy: str) -> tuple[date, str | None]:
        """Apply a holiday policy: (the day, the holiday it was moved from or None)."""
        name = self.holiday_name(d)
        if name is None or policy == "keep":
            return d, None
        step = timedelta(days=-1 if policy == "previous_workday" else 1)
        moved = d
        for _ in range(40):
            moved += step
            if self.is_workday(moved) and self.holiday_name(moved) is None:
                return moved, name
        return d, None


def add(session: Session, d: date, kind: str, name: str = "") -> HolidayDay:
    if kind not in ("holiday", "workday"):
        raise ValueError("kind must be holiday or workday")
    row = session.scalar(select(HolidayDay).where(HolidayDay.day == d))
    if row is None:
        row = HolidayDay(day=d, kind=kind, name=name)
        session.add(row)
    else:
        row.kind, row.name = kind, name
    session.flush()
    return row


def staff_days(session: Session, year: int) -> list[HolidayDay]:
    return list(session.scalars(select(HolidayDay).where(extract("year", HolidayDay.day) == year)
                                .order_by(HolidayDay.day)))


HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
