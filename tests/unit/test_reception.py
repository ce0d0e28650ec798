"""The next reception day, in Beijing time (a calendar replaces this later)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from bot.services.reception.calendar import next_reception


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_later_this_month():
    assert next_reception(20, utc(2026, 11, 5, 3)) == date(2026, 11, 20)


def test_today_counts():
    assert next_reception(10, utc(2026, 11, 10, 1)) == date(2026, 11, 10)


def test_past_this_month_goes_to_next_month_and_year():
    assert next_reception(10, utc(2026, 12, 11, 1)) == date(2027, 1, 10)


def test_the_day_is_the_day_in_beijing_not_utc():
    # 16:30 UTC on 9 November is 00:30 on 10 November in Beijing.
    assert next_reception(9, utc(2026, 11, 9, 16, 30)) == date(2026, 12, 9)


def test_a_day_missing_from_a_short_month_falls_on_its_last_day():
    assert next_reception(31, utc(2027, 2, 3)) == date(2027, 2, 28)
