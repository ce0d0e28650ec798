"""RSVP for reception days: "预约" books a numbered place at the voter's next
reception (capacity per site), "取消预约" cancels it, and the deputies on duty
see the list ("预约名单")."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Deputy, ReceptionBooking, ReceptionDuty, Voter
from .. import texts
from .calendar import Calendar, Occurrence, describe_day, materialize
from .reminders import bookings


def _next(session: Session, voter: Voter, today: date) -> Occurrence | None:
    site_id = voter.home_site_id
    return Calendar(session).next_for(site_id, today) if site_id else None


def book(session: Session, voter: Voter, today: date) -> str:
    occ = _next(session, voter, today)
    if occ is None:
        return texts.BOOKING_NO_SITE
    rec = materialize(session, occ)
    row = session.scalar(select(ReceptionBooking).where(ReceptionBooking.reception_id == rec.id,
                                                        ReceptionBooking.voter_id == voter.id))
    where = {"date": describe_day(occ.date), "site": occ.site_name}
    if row is not None and row.status == "booked":
        return texts.BOOKED_ALREADY.format(number=row.number, **where)
    taken = session.scalar(select(func.count(ReceptionBooking.id)).where(
        ReceptionBooking.reception_id == rec.id, ReceptionBooking.status == "booked"))
    if taken >= occ.capacity:
        return texts.BOOKING_FULL.format(capacity=occ.capacity, **where)
    # Numbers are never reused, so a number on a printed list always means one person.
    number = (session.scalar(select(func.max(ReceptionBooking.number))
                             .where(ReceptionBooking.reception_id == rec.id)) or 0) + 1
    if row is None:
        row = ReceptionBooking(reception_id=rec.id, voter_id=voter.id, number=number, status="booked")
        session.add(row)
    else:
        row.number, row.status = number, "booked"
    session.flush()
    return texts.BOOKED.format(number=number, hours=occ.hours, place=occ.place, **where)


def cancel(session: Session, voter: Voter, today: date) -> str:
    occ = _next(session, voter, today)
    if occ is None or occ.reception_id is None:
        return texts.BOOKING_NONE
    row = session.scalar(select(ReceptionBooking).where(ReceptionBooking.reception_id == occ.reception_id,
                                                        ReceptionBooking.voter_id == voter.id,
                                                        ReceptionBooking.status == "booked"))
    if row is None:
        return texts.BOOKING_NONE
    row.status = "cancelled"
    session.flush()
    return texts.BOOKING_CANCELLED.format(date=describe_day(occ.date), site=occ.site_name)


def duty_list(session: Session, deputy: Deputy, today: date) -> str:
    """The bookings of the next reception this deputy is on duty at."""
    cal = Calendar(session)
    first = date(today.year, today.month, 1)
    for occ in cal.plan(first, 3):
        if occ.date >= today and not occ.cancelled and any(d.id == deputy.id for d in occ.deputies):
            rec = materialize(session, occ)
            rows = bookings(session, rec.id)
            names = "、".join(f"{b.number}号{b.voter.name or '群众'}" for b in rows) or "暂无"
            return texts.BOOKING_LIST.format(date=describe_day(occ.date), site=occ.site_name,
                                             count=len(rows), names=names)
    return texts.BOOKING_LIST_NONE


def on_duty(session: Session, reception_id: int) -> list[int]:
    return list(session.scalars(select(ReceptionDuty.deputy_id).where(ReceptionDuty.reception_id == reception_id)))
