"""The reception calendar as clerks use it: the month, one reception's page (read
only: nothing is stored by looking), the printed bookings list, attendance, and
moving or cancelling a reception. Every function checks the account first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import ReceptionDuty, User
from ..duty import sources as duty_sources
from ..reception import attendance, reminders
from ..reception import month as month_service
from ..reception.calendar import Occurrence, find
from ..roster.voters import village_name
from .clerks import clerk, record


def month(session: Session, by: User, text: str | None, today: date) -> month_service.Month:
    """The month asked for ("2026-12"; anything else: this month)."""
    clerk(by)
    year, month_no = month_service.parse_month(text, today)
    return month_service.month(session, year, month_no)


def reception(session: Session, by: User, site_code: str, nominal: date) -> Occurrence:
    """One reception by its site and nominal date; LookupError when there is none."""
    clerk(by)
    return find(session, site_code[:32], nominal)[1]


@dataclass(frozen=True)
class Mark:
    """A deputy on duty and their attendance as the page shows it."""
    deputy_id: int
    name: str
    attended: bool | None = None
    marked_by: str | None = None
    marked_at: datetime | None = None


@dataclass(frozen=True)
class Day:
    booked: list[dict[str, Any]]  # number, name, village
    marks: list[Mark]  # empty until the day has come (or when cancelled)
    held: bool  # attendance is marked: it can no longer be moved or cancelled


def _booked(session: Session, occ: Occurrence) -> list[dict[str, Any]]:
    # Full names, as the CLI and the duty deputies' "预约名单" show them: the list is for calling people in.
    rows = reminders.bookings(session, occ.reception_id) if occ.reception_id is not None else []
    return [{"number": b.number, "name": b.voter.name or "群众", "village": village_name(b.voter.village)}
            for b in rows]


def _marks(session: Session, occ: Occurrence) -> list[Mark]:
    """The stored duty rows, or (none stored yet) the deputies the calendar puts on duty:
    computed, not stored, so opening the page writes nothing; `attendance.mark` stores them."""
    rows = session.scalars(select(ReceptionDuty).where(ReceptionDuty.reception_id == occ.reception_id)
                           .order_by(ReceptionDuty.id)).all() if occ.reception_id is not None else []
    if rows:
        return [Mark(r.deputy_id, r.deputy.name, r.attended, r.marked_by, r.marked_at) for r in rows]
    return [Mark(d.id, d.name) for d in occ.deputies]


def day(session: Session, by: User, occ: Occurrence, today: date) -> Day:
    """One reception's page: who booked, and (from its day on) who of the deputies came."""
    clerk(by)
    marks = _marks(session, occ) if not occ.cancelled and occ.date <= today else []
    return Day(_booked(session, occ), marks, reminders.attendance_marked(session, occ.reception_id))


def bookings_sheet(session: Session, by: User, occ: Occurrence, *, address: str | None,
                   now: datetime) -> list[dict[str, Any]]:
    """The bookings list to print (it has full names, so printing it is audited)."""
    actor = clerk(by)
    booked = _booked(session, occ)
    record(session, actor, "reception.print_bookings", f"{occ.site_code}:{occ.nominal}", f"{len(booked)} 人",
           address, now)
    return booked


def mark_attendance(session: Session, by: User, occ: Occurrence, present: set[int], *, address: str | None,
                    now: datetime, today: date) -> int:
    """Who of the deputies on duty came (deputy ids); how many marks changed. Audited, and
    recorded in the duty record (services/duty/sources.py)."""
    actor = clerk(by)
    changed = attendance.mark(session, occ, present, by=actor, now=now, today=today)
    # The duty record follows the sheet: one "接待选民" per deputy present, none for the absent.
    duty_sources.reception_marked(session, attendance.duties(session, occ), occ.date, occ.place, now, by=actor)
    record(session, actor, "reception.attendance", f"{occ.site_code}:{occ.nominal}", f"出席 {len(present)} 人",
           address, now)
    return changed


def change(session: Session, by: User, occ: Occurrence, *, to: date | None, note: str, address: str | None,
           now: datetime) -> list[int]:
    """Move (to a date) or cancel (to=None) the reception and tell everyone told of it
    once (reminders.change); the new push ids, to enqueue after the commit. Audited."""
    actor = clerk(by)
    _, ids = reminders.change(session, occ.site_code, occ.nominal, to=to, by=actor, note=note, now=now)
    detail = (f"改到 {to}" if to else "取消") + (f"；附言 {len(note.strip())} 字" if note.strip() else "")
    record(session, actor, "reception.move" if to else "reception.cancel", f"{occ.site_code}:{occ.nominal}",
           detail, address, now)
    return ids
