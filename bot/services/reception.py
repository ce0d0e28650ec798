"""Reception days (接待选民日). For now a site receives voters on one day of every
month; a later issue replaces `next_reception` with a calendar (holidays, moves)."""
from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def next_reception(day_of_month: int, now: datetime) -> date:
    """The first date on or after today (Beijing time) that falls on that day."""
    today = now.astimezone(BEIJING).date()
    year, month = today.year, today.month
    for _ in range(2):
        day = min(day_of_month, calendar.monthrange(year, month)[1])  # "31st" in a short month
        if day >= today.day or (year, month) != (today.year, today.month):
            return date(year, month, day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise AssertionError("unreachable")


def describe(d: date) -> str:
    return f"{d.month}月{d.day}日"
