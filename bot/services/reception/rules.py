"""Editing a site's reception rule (day of the month, hours, place, capacity,
deputies on duty, holiday policy, on or off), for the console and the CLI.
Every value is checked here, with the words staff read when it is wrong."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import ReceptionRule, Site
from .calendar import ReceptionError, rule_for
from .guard import guarded

POLICIES = {"next_workday": "顺延到下一个工作日", "previous_workday": "提前到上一个工作日", "keep": "照常接待"}
FIELDS = ("day_of_month", "starts", "ends", "place", "capacity", "duty_count", "holiday_policy", "active")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
MAX_PLACE = 100


def site(session: Session, code: str) -> Site:
    found = session.scalar(select(Site).where(Site.code == code))
    if found is None:
        raise LookupError(f"没有编码为 {code[:32]} 的站点")
    return found


def _int(value: Any, what: str, low: int, high: int) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ReceptionError(f"{what}要填数字") from None
    if not low <= n <= high:
        raise ReceptionError(f"{what}要在 {low} 到 {high} 之间")
    return n


def _time(value: Any, what: str) -> str:
    text = str(value).strip()
    if len(text) == 4 and text[1] == ":":
        text = "0" + text  # 9:00
    if not _TIME.fullmatch(text):
        raise ReceptionError(f"{what}“{str(value)[:10]}”不是时间，请写成 09:00 这样")
    return text


def check(changes: dict[str, Any]) -> dict[str, Any]:
    """The changes, cleaned; ReceptionError on the first wrong value. Keys not
    given (or None) are left alone."""
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if value is None:
            continue
        if key not in FIELDS:
            raise ValueError(f"unknown rule field {key}")
        if key == "day_of_month":
            out[key] = _int(value, "每月几号", 1, 31)
        elif key in ("starts", "ends"):
            out[key] = _time(value, "开始时间" if key == "starts" else "结束时间")
        elif key == "place":
            out[key] = str(value).strip()
            if len(out[key]) > MAX_PLACE:
                raise ReceptionError(f"接待地点最多 {MAX_PLACE} 个字")
        elif key == "capacity":
            out[key] = _int(value, "可预约人数", 1, 1000)
        elif key == "duty_count":
            out[key] = _int(value, "值班代表人数", 1, 20)
        elif key == "holiday_policy":
            if value not in POLICIES:
                raise ReceptionError("请选择遇到法定节假日怎么办")
            out[key] = value
        else:
            out[key] = bool(value)
    return out


def update(session: Session, found: Site, changes: dict[str, Any], today: date) -> ReceptionRule:
    """Apply the changes to the site's rule (stored the first time anything
    changes); returns the rule as it now is. Refused (guard.CalendarChangeRefused,
    a ReceptionError) when the new rule would move or drop an upcoming reception
    someone booked or was told of: staff move or cancel it on its page first."""
    clean = check(changes)
    rule = rule_for(session, found)
    starts, ends = clean.get("starts", rule.starts), clean.get("ends", rule.ends)
    if starts >= ends:
        raise ReceptionError(f"结束时间（{ends}）要晚于开始时间（{starts}）")
    if not clean:
        return rule

    def apply() -> ReceptionRule:
        if rule.id is None:
            session.add(rule)
        for key, value in clean.items():
            setattr(rule, key, value)
        session.flush()
        return rule

    return guarded(session, today, apply, "改规则")


def describe(rule: ReceptionRule, found: Site) -> str:
    return (f"{found.name}: 每月{rule.day_of_month}日 {rule.starts}–{rule.ends} {rule.place or found.address}，"
            f"容量 {rule.capacity}，值班 {rule.duty_count} 人，"
            f"节假日{POLICIES.get(rule.holiday_policy, rule.holiday_policy)}" + ("" if rule.active else "（停用）"))


def listing(session: Session) -> list[tuple[Site, ReceptionRule]]:
    """Every site with its rule (the defaults where none is stored)."""
    return [(s, rule_for(session, s)) for s in session.scalars(select(Site).order_by(Site.id))]
