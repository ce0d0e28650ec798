"""The calendar's standing settings as clerks change them: each site's rule and
the holidays entered for years chinese-calendar does not know. A change that
would move or drop a reception people were told of is refused
(services/reception/guard.py), here as in the CLI."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from ...models import HolidayDay, ReceptionRule, Site, User
from ..calendar import holidays
from ..reception import guard, rules
from .clerks import clerk, record


def rule_listing(session: Session, by: User) -> list[tuple[Site, ReceptionRule]]:
    clerk(by)
    return rules.listing(session)


def site(session: Session, by: User, code: str) -> Site:
    """The site by its code; LookupError when there is none."""
    clerk(by)
    return rules.site(session, code[:32])


def save_rule(session: Session, by: User, found: Site, changes: dict[str, Any], *, address: str | None,
              now: datetime, today: date) -> str:
    """Apply a site's rule as the form gives it; the rule described (Chinese). ReceptionError
    (the first wrong value, or the receptions it would move or drop) changes nothing. Audited."""
    actor = clerk(by)
    line = rules.describe(rules.update(session, found, changes, today), found)
    record(session, actor, "reception.rule", found.code, line, address, now)
    return line


def holiday_days(session: Session, by: User, year: int) -> list[HolidayDay]:
    """What staff entered for the year."""
    clerk(by)
    return holidays.staff_days(session, year)


def enter_holidays(session: Session, by: User, year: int, text: str, *, address: str | None, now: datetime,
                   today: date) -> list[tuple[date, str, str]]:
    """A year's holidays and make-up days from the notice's lines, all or nothing;
    HolidayEntryError names each problem. Audited."""
    actor = clerk(by)
    days = guard.enter_holidays(session, year, text, today)
    off = sum(1 for _, kind, _ in days if kind == "holiday")
    record(session, actor, "reception.holidays", str(year), f"放假 {off} 天，调休上班 {len(days) - off} 天",
           address, now)
    return days


def remove_holiday(session: Session, by: User, day: date, *, address: str | None, now: datetime,
                   today: date) -> bool:
    """Remove one entered day; False when there was none. HolidayEntryError when it would
    move a reception people were told of. Audited."""
    actor = clerk(by)
    if not guard.remove_holiday(session, day, today):
        return False
    record(session, actor, "reception.holidays", str(day.year), f"删除 {day}", address, now)
    return True
