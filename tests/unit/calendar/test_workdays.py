"""Working days past chinese-calendar's data: weekends and 1 January (New
Year's Day, a fixed statutory holiday) are not working days, and the missing
year is logged at ERROR once per process."""
from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.services.calendar import workdays


@pytest.fixture(autouse=True)
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(workdays, "_warned", set())


def test_a_december_deadline_crossing_into_2027_skips_new_years_day():
    # Thu 31 Dec 2026 is the first working day, Fri 1 Jan 2027 a holiday, then the weekend.
    assert workdays.add_workdays(date(2026, 12, 30), 2) == date(2027, 1, 4)
    assert not workdays.is_workday(date(2027, 1, 1))


def test_a_year_without_data_counts_weekdays_and_is_logged_at_error_once(caplog):
    caplog.set_level(logging.WARNING, logger="bot.services.calendar.workdays")
    assert workdays.is_workday(date(2027, 3, 3)) and not workdays.is_workday(date(2027, 3, 6))
    workdays.is_workday(date(2027, 3, 4))
    errors = [r for r in caplog.records if "2027" in r.getMessage()]
    assert [r.levelno for r in errors] == [logging.ERROR]


def test_years_with_data_use_the_official_calendar():
    assert not workdays.is_workday(date(2026, 10, 1))  # National Day
    assert workdays.is_workday(date(2026, 12, 31))
