"""Changes to the calendar itself (a site's rule, the holidays) never move or
drop a reception people were already told of behind their backs.

A stored reception is keyed by its nominal date: a new day of the month leaves
it outside the calendar (its bookings with it), a holiday entered or removed
moves it to another day. When such a change would touch an upcoming reception
that has bookings, reminders or change notices, it is refused with the list of
those receptions and what to do first (move or cancel it on its page, which
tells everyone once, or wait until it is over). Used by the console and the CLI
alike: `rules.update` and the holiday entry below."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import OutboundPush, Reception, ReceptionBooking
from ..calendar import holidays
from .calendar import Calendar, ReceptionError, describe_day

T = TypeVar("T")
# Receptions whose nominal date is this far back may still be upcoming (moved up to
# 31 days by staff, or past a long holiday by the rule's policy).
LOOK_BACK = timedelta(days=75)


@dataclass(frozen=True)
class Held:
    reception_id: int
    site_id: int
    site_name: str
    nominal: date
    date: date
    booked: int
    told: int


class CalendarChangeRefused(ReceptionError):
    """The change would move or drop receptions people were told of; `lines` name each (Chinese)."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("；".join(lines))


def _told(session: Session, reception_id: int) -> int:
    """People a reminder or change notice of this reception was queued for."""
    prefix = f"reception:{reception_id}:"
    keys = session.scalars(select(OutboundPush.dedupe_key).where(OutboundPush.dedupe_key.like(prefix + "%")))
    return len({key[len(prefix):].partition(":")[2] for key in keys})


def held(session: Session, today: date) -> list[Held]:
    """Upcoming stored receptions (on the calendar, not cancelled, today or later)
    that someone booked or was reminded or told of."""
    cal = Calendar(session)
    sites = {s.id: s for s in cal.sites}
    booked = dict(session.execute(
        select(ReceptionBooking.reception_id, func.count(ReceptionBooking.id))
        .where(ReceptionBooking.status == "booked").group_by(ReceptionBooking.reception_id)).all())
    out = []
    rows = session.scalars(select(Reception).where(Reception.cancelled.is_(False),
                                                   Reception.nominal >= today - LOOK_BACK).order_by(Reception.id))
    for rec in rows:
        site = sites.get(rec.site_id)
        occ = cal.occurrence(site, rec.nominal.year, rec.nominal.month) if site is not None else None
        if occ is None or occ.nominal != rec.nominal or occ.cancelled or occ.date < today:
            continue
        told = _told(session, rec.id)
        if booked.get(rec.id, 0) or told:
            out.append(Held(rec.id, rec.site_id, occ.site_name, rec.nominal, occ.date, booked.get(rec.id, 0), told))
    return out


def _where_now(session: Session, before: list[Held]) -> dict[int, date | None]:
    """Each reception's day as the calendar now gives it; None when it has left the calendar."""
    cal = Calendar(session)
    sites = {s.id: s for s in cal.sites}
    out: dict[int, date | None] = {}
    for h in before:
        site = sites.get(h.site_id)
        occ = cal.occurrence(site, h.nominal.year, h.nominal.month) if site is not None else None
        out[h.reception_id] = occ.date if occ is not None and occ.nominal == h.nominal else None
    return out


def _line(h: Held, to: date | None, what: str) -> str:
    who = "、".join(x for x in (f"已有 {h.booked} 人预约" if h.booked else "",
                                f"已提醒或通知 {h.told} 人" if h.told else "") if x)
    head = f"{describe_day(h.date)} {h.site_name}{who}"
    if to is None:
        return (f"{head}，{what}后这次接待会从日历上消失（预约随之失效），他们却收不到通知。"
                f"请先在这次接待的页面取消它（会通知他们），或等接待过后再{what}")
    return (f"{head}，{what}后这次接待会改到{describe_day(to)}，他们却收不到通知。"
            f"请先在这次接待的页面把它改期到{describe_day(to)}（会通知他们），再{what}")


def guarded(session: Session, today: date, change: Callable[[], T], what: str) -> T:
    """Run `change` (it flushes); if it moved or dropped a held reception, undo it and
    raise CalendarChangeRefused naming each. `what` names the change for staff ("改规则")."""
    before = held(session, today)
    if not before:
        return change()
    # The savepoint is released when the change holds, rolled back by any exception (the refusal too).
    with session.begin_nested():
        result = change()
        session.flush()
        after = _where_now(session, before)
        lines = [_line(h, after[h.reception_id], what) for h in before if after[h.reception_id] != h.date]
        if lines:
            raise CalendarChangeRefused(lines)
    return result


def _holiday_refused(exc: CalendarChangeRefused) -> holidays.HolidayEntryError:
    return holidays.HolidayEntryError(exc.lines)


def enter_holidays(session: Session, year: int, text: str, today: date) -> list[tuple[date, str, str]]:
    """`holidays.enter`, refused (HolidayEntryError, one problem per reception) when it moves a held reception."""
    try:
        return guarded(session, today, lambda: holidays.enter(session, year, text, today), "录入节假日")
    except CalendarChangeRefused as exc:
        raise _holiday_refused(exc) from None


def add_holidays(session: Session, ranges: list[tuple[date, date]], kind: str, name: str, today: date) -> int:
    """`holidays.add_range` for each (first, last), all or nothing, guarded the same way."""
    def change() -> int:
        return sum(holidays.add_range(session, first, last, kind, name) for first, last in ranges)

    try:
        return guarded(session, today, change, "录入节假日")
    except CalendarChangeRefused as exc:
        raise _holiday_refused(exc) from None


def remove_holiday(session: Session, day: date, today: date) -> bool:
    """`holidays.remove`, guarded the same way."""
    try:
        return guarded(session, today, lambda: holidays.remove(session, day), "删除这天的录入")
    except CalendarChangeRefused as exc:
        raise _holiday_refused(exc) from None
