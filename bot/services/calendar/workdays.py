"""Working days in China: statutory holidays and make-up working days (调休)
from chinese-calendar.

For a year beyond chinese-calendar's data (1.11.0 stops at 2026) we fall back
to weekends plus 1 January, New Year's Day, which is a statutory holiday on
the same date every year; the other holidays move with the lunar calendar
and the State Council's yearly notice, so we do not guess them. The fallback
is logged at ERROR once per process and year: upgrade chinese-calendar as
soon as the year's holidays are published."""
from __future__ import annotations

import logging
from datetime import date, timedelta

import chinese_calendar

log = logging.getLogger(__name__)
_warned: set[int] = set()


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _warned:
            _warned.add(day.year)
            log.error("chinese-calendar %s has no holiday data for %s: counting weekends and 1 January only, "
                      "SLA deadlines may fall on holidays (upgrade chinese-calendar once the State Council "
                      "publishes the year's holidays)", getattr(chinese_calendar, "__version__", "?"), day.year)
        return day.weekday() < 5 and (day.month, day.day) != (1, 1)


def add_workdays(start: date, n: int) -> date:
    """The day on which `n` working days after `start` have passed (start itself not counted)."""
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day
