"""The date rules under the reception calendar: the nominal day of a month and
the Beijing date of an instant (the calendar itself is tested against the
database in tests/integration/test_reception_calendar.py)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from bot.services.reception.calendar import beijing_today, nominal_date


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_the_rule_day_of_a_month():
    assert nominal_date(20, 2026, 11) == date(2026, 11, 20)


def test_a_day_missing_from_a_short_month_falls_on_its_last_day():
    assert nominal_date(31, 2027, 2) == date(2027, 2, 28)
    assert nominal_date(31, 2028, 2) == date(2028, 2, 29)
    assert nominal_date(31, 2026, 4) == date(2026, 4, 30)


def test_today_is_the_day_in_beijing_not_utc():
    # 16:30 UTC on 9 November is 00:30 on 10 November in Beijing.
    assert beijing_today(utc(2026, 11, 9, 16, 30)) == date(2026, 11, 10)
    assert beijing_today(utc(2026, 11, 9, 15, 59)) == date(2026, 11, 9)
