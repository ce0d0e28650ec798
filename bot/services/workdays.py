"""Working days in China: statutory holidays and make-up working days (调休)
from chinese-calendar; for years beyond its data, weekends only, with a warning."""
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
            log.warning("chinese-calendar has no holiday data for %s: counting weekends only "
                        "(upgrade chinese-calendar when the State Council publishes the year's holidays)", day.year)
        return day.weekday() < 5


def add_workdays(start: date, n: int) -> date:
    """The day on which `n` working days after `start` have passed (start itself not counted)."""
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day
