"""Which days are statutory holidays and which are working days.

chinese-calendar carries the State Council's yearly holiday notices up to the
year it was released for (2026 in 1.11); for later years staff enter the
official holidays and make-up working days (调休上班) themselves
(`liaison reception holidays add`). Staff entries win over the package.
"""
from __future__ import annotations

import re
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


def add_range(session: Session, first: date, last: date, kind: str, name: str = "") -> int:
    """Enter every day from first to last (inclusive); returns how many."""
    if last < first:
        raise HolidayEntryError([f"开始日期 {first} 晚于结束日期 {last}"])
    if (last - first).days >= MAX_SPAN:
        raise HolidayEntryError([f"{first} 至 {last} 超过 {MAX_SPAN} 天，一段假期不会这么长，请检查日期"])
    d = first
    while d <= last:
        add(session, d, kind, name)
        d += timedelta(days=1)
    return (last - first).days + 1


class HolidayEntryError(ValueError):
    """What staff typed cannot be entered; `problems` are Chinese, one per line at fault."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


KIND_WORDS = {"放假": "holiday", "休息": "holiday", "上班": "workday", "调休上班": "workday", "补班": "workday"}
KIND_NAMES = {"holiday": "放假", "workday": "调休上班"}
MAX_SPAN = 15  # the longest run of statutory holidays (Spring Festival, National Day) is 8-9 days
MAX_NAME = 20
_DAY = r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}月\d{1,2}日"
_LINE = re.compile(rf"(?P<name>[^\s\d]\S*)\s+(?P<first>{_DAY})(?:\s*(?:至|到|~|～|\.\.)\s*(?P<last>{_DAY}))?"
                   rf"(?:\s+(?P<kind>{'|'.join(KIND_WORDS)}))?")
EXAMPLE = "春节 2027-02-06 至 2027-02-13"


def _parse_day(token: str, year: int) -> date:
    if "月" in token:
        m, _, d = token.rstrip("日").partition("月")
        return date(year, int(m), int(d))
    y, m, d = (int(x) for x in token.split("-"))
    return date(y, m, d)


def parse(year: int, text: str) -> list[tuple[date, str, str]]:
    """Lines like "春节 2027-02-06 至 2027-02-13" (放假, the default) or
    "春节 2月14日 上班" (a make-up working day) -> (day, kind, name) for the
    year. Every problem is collected; HolidayEntryError names each line."""
    problems: list[str] = []
    out: dict[date, tuple[int, str, str]] = {}
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise HolidayEntryError([f"请至少填写一行，例如“{EXAMPLE}”"])
    for n, line in lines:
        found = _LINE.fullmatch(line.replace("：", " ").replace(":", " ").replace("，", " ").strip())
        if found is None:
            problems.append(f"第{n}行：看不懂“{line[:40]}”，请写成“{EXAMPLE}”或“春节 2027-02-14 上班”")
            continue
        name = found["name"][:MAX_NAME]
        try:
            first = _parse_day(found["first"], year)
            last = _parse_day(found["last"], year) if found["last"] else first
        except ValueError:
            problems.append(f"第{n}行：日期不存在，请检查“{line[:40]}”")
            continue
        kind = KIND_WORDS[found["kind"]] if found["kind"] else "holiday"
        if first.year != year or last.year != year:
            problems.append(f"第{n}行：{first if first.year != year else last} 不在 {year} 年")
            continue
        if last < first:
            problems.append(f"第{n}行：开始日期 {first} 晚于结束日期 {last}")
            continue
        if (last - first).days >= MAX_SPAN:
            problems.append(f"第{n}行：{first} 至 {last} 超过 {MAX_SPAN} 天，一段假期不会这么长，请检查日期")
            continue
        d = first
        while d <= last:
            if kind == "workday" and d.weekday() < 5:
                problems.append(f"第{n}行：{d}（周{'一二三四五六日'[d.weekday()]}）本来就是工作日，调休上班日应在周末")
            elif d in out and out[d][0] != n:
                problems.append(f"第{n}行：{d} 在第{out[d][0]}行已经填过")
            else:
                out[d] = (n, kind, name)
            d += timedelta(days=1)
    if problems:
        raise HolidayEntryError(problems)
    return [(d, kind, name) for d, (_, kind, name) in sorted(out.items())]


def enter(session: Session, year: int, text: str, today: date) -> list[tuple[date, str, str]]:
    """Staff enter a year's official holidays and make-up working days (from the
    State Council's notice): all lines or nothing. Years from last year to two
    years ahead."""
    if not today.year - 1 <= year <= today.year + 2:
        raise HolidayEntryError([f"只能录入 {today.year - 1} 年到 {today.year + 2} 年的节假日"])
    days = parse(year, text)
    for d, kind, name in days:
        add(session, d, kind, name)
    return days


def remove(session: Session, d: date) -> bool:
    row = session.scalar(select(HolidayDay).where(HolidayDay.day == d))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def month_facts(holidays: Holidays, first: date, last: date) -> dict[date, tuple[str | None, bool]]:
    """For each day: (the holiday it belongs to, True on a make-up working day at a weekend)."""
    out = {}
    d = first
    while d <= last:
        out[d] = (holidays.holiday_name(d), d.weekday() >= 5 and holidays.is_workday(d))
        d += timedelta(days=1)
    return out


def staff_days(session: Session, year: int) -> list[HolidayDay]:
    return list(session.scalars(select(HolidayDay).where(extract("year", HolidayDay.day) == year)
                                .order_by(HolidayDay.day)))


HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
