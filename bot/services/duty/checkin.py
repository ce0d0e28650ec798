"""A deputy's "签到" in WeChat on a reception day: marks them present at the
reception they are on duty at today (reception_duties, marked_by "代表签到")
and records the "接待选民" activity of their duty record. It is taken from an
hour before the reception starts (EARLY) to the end of that day. Anywhere
else they hear, in Chinese, why nothing was recorded and when they are next
on duty."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from ...models import Deputy, ReceptionDuty
from .. import texts
from ..calendar.local_time import BEIJING
from ..reception.calendar import Calendar, Occurrence, beijing_today, describe_day, materialize
from . import sources as duty_sources

EARLY = timedelta(hours=1)  # how long before the reception starts a check-in counts
WORDS = ("签到", "接待签到", "值班签到", "我已到岗", "到岗签到")


def is_check_in(text: str) -> bool:
    return (text or "").strip().strip("。！!. ").replace(" ", "") in WORDS


def opens(occ: Occurrence) -> datetime | None:
    """When check-in opens for this reception: EARLY before it starts (None: hours unreadable)."""
    try:
        starts = time.fromisoformat(occ.starts)
    except (TypeError, ValueError):
        return None
    return datetime.combine(occ.date, starts, BEIJING) - EARLY


def check_in(session: Session, deputy: Deputy, now: datetime) -> str:
    """Check the deputy in; returns the answer for them."""
    today = beijing_today(now)
    cal = Calendar(session)
    held = cal.on(today)
    mine = next((o for o in held if any(d.id == deputy.id for d in o.deputies)), None)
    if mine is None:
        nxt = next((o for o in cal.plan(today, 3) if o.date > today and not o.cancelled
                    and any(d.id == deputy.id for d in o.deputies)), None)
        later = (texts.CHECKIN_NEXT.format(date=describe_day(nxt.date), site=nxt.site_name) if nxt
                 else texts.CHECKIN_NO_NEXT)
        if held:  # a reception day, but not theirs
            sites = "、".join(o.site_name for o in held)
            return texts.CHECKIN_NOT_ON_DUTY.format(date=describe_day(today), sites=sites) + later
        return texts.CHECKIN_NO_RECEPTION.format(date=describe_day(today)) + later
    opening = opens(mine)
    if opening is not None and now < opening:  # a 签到 sent from home in the morning is no attendance
        return texts.CHECKIN_TOO_EARLY.format(date=describe_day(mine.date), site=mine.site_name, hours=mine.hours,
                                              opens=opening.astimezone(BEIJING).strftime("%H:%M").lstrip("0"))
    rec = materialize(session, mine)
    row = next((d for d in rec.duties if d.deputy_id == deputy.id), None)
    if row is None:  # the stored roster's deputies all left office: the rota's turn stands in
        row = ReceptionDuty(deputy_id=deputy.id)
        rec.duties.append(row)
        session.flush()
    if row.attended:
        return texts.CHECKIN_ALREADY.format(date=describe_day(mine.date), site=mine.site_name,
                                            by=row.marked_by or "工作人员")
    row.attended, row.marked_by, row.marked_at = True, duty_sources.CHECK_IN, now
    duty_sources.reception_attended(session, row, mine.date, mine.place, now, source="deputy",
                                    by=duty_sources.CHECK_IN)
    session.flush()
    return texts.CHECKIN_DONE.format(date=describe_day(mine.date), site=mine.site_name, place=mine.place,
                                     hours=mine.hours)
