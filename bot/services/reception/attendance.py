"""Who of the deputies on duty came to a reception (接待选民), marked by staff
after the day. One mark per duty row (reception_duties), with who marked it
and when; the duty record counts them (`attended_counts`)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from ...models import Reception, ReceptionDuty
from .calendar import Occurrence, ReceptionError, describe_day, materialize


def duties(session: Session, occ: Occurrence) -> list[ReceptionDuty]:
    """The duty rows of this reception (stored with it the first time)."""
    return list(materialize(session, occ).duties)


def mark(session: Session, occ: Occurrence, present: set[int], *, by: str, now: datetime,
         today: date) -> int:
    """Record who came: each deputy on duty is present (in `present`, deputy
    ids) or absent. A mark that does not change keeps its first author and
    time. Returns how many marks changed."""
    if occ.cancelled:
        raise ReceptionError(f"{occ.site_name}{describe_day(occ.date)}的接待已取消，不能登记出席")
    if occ.date > today:
        raise ReceptionError(f"{describe_day(occ.date)}的接待还没到，接待之后再登记出席")
    rows = duties(session, occ)
    unknown = present - {d.deputy_id for d in rows}
    if unknown:
        raise ReceptionError("只能登记这次接待的值班代表")
    changed = 0
    for row in rows:
        came = row.deputy_id in present
        if row.attended is not came:
            row.attended, row.marked_by, row.marked_at = came, by, now
            changed += 1
    session.flush()
    return changed


def attended_counts(session: Session, year: int) -> dict[int, int]:
    """Deputy id -> receptions of that year (by their nominal date) they came to."""
    rows = session.execute(
        select(ReceptionDuty.deputy_id, func.count(ReceptionDuty.id))
        .join(Reception, Reception.id == ReceptionDuty.reception_id)
        .where(ReceptionDuty.attended.is_(True), Reception.cancelled.is_(False),
               extract("year", Reception.nominal) == year)
        .group_by(ReceptionDuty.deputy_id))
    return {deputy_id: n for deputy_id, n in rows}
