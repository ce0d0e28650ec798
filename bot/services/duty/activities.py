"""The one way into the duty record: `record` adds an activity, once per piece
of evidence; `for_year` reads a deputy's year back. Automatic sources
(tickets, receptions, WeChat check-ins), deputies' own notes and staff entry
all come through here, so the checks and the once-only rule hold for all."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...models import DUTY_KINDS, DUTY_SOURCES, Deputy, DutyActivity
from ..calendar.local_time import BEIJING
from .items import KIND_NAMES

MAX_PLACE, MAX_PEOPLE, MAX_NOTE, MAX_PHOTOS = 200, 500, 2000, 9
# Nothing older than this is a deputy's current work (typing 2O26 gives 0026).
EARLIEST = date(2000, 1, 1)


class DutyError(ValueError):
    """Refused input; the message is Chinese, for the deputy or the clerk."""


def _clean(value: str | None, limit: int, what: str) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise DutyError(f"{what}太长了（最多 {limit} 个字）")
    return text


def check(*, kind: str, day: date, source: str, now: datetime, place: str = "", people: str = "", note: str = "",
          photos: Sequence[str] = ()) -> dict:
    """The activity's fields, checked; raises DutyError with the reason."""
    if kind not in DUTY_KINDS:
        raise DutyError(f"没有这种履职活动：{kind}（可选：{'、'.join(KIND_NAMES.values())}）")
    if source not in DUTY_SOURCES:
        raise ValueError(f"unknown duty source {source!r}")
    today = now.astimezone(BEIJING).date()
    if day > today:
        raise DutyError(f"活动日期 {day.isoformat()} 还没到，不能先记")
    if day < EARLIEST:
        raise DutyError(f"活动日期 {day.isoformat()} 不对，请检查年份")
    if len(photos) > MAX_PHOTOS:
        raise DutyError(f"照片太多了（最多 {MAX_PHOTOS} 张）")
    return {"kind": kind, "day": day, "source": source, "place": _clean(place, MAX_PLACE, "地点"),
            "people": _clean(people, MAX_PEOPLE, "参与人员"), "note": _clean(note, MAX_NOTE, "记录"),
            "photos": [str(p)[:128] for p in photos]}


def record(session: Session, *, deputy: Deputy, kind: str, day: date, source: str, now: datetime,
           evidence: str | None = None, place: str = "", people: str = "", note: str = "",
           photos: Sequence[str] = (), entered_by: str | None = None, counts: bool = True) -> DutyActivity:
    """Add one activity, or return the one this evidence already made. A
    concurrent twin (a task retried while the first still runs) loses on the
    unique constraint inside a savepoint, and gets the winner's row."""
    fields = check(kind=kind, day=day, source=source, now=now, place=place, people=people, note=note,
                   photos=photos)
    if evidence is not None:
        found = _by_evidence(session, deputy.id, evidence)
        if found is not None:
            return found
    row = DutyActivity(deputy_id=deputy.id, evidence=evidence, entered_by=(entered_by or "")[:64] or None,
                       counts=counts, created_at=now, **fields)
    if evidence is None:
        session.add(row)
        return row
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = _by_evidence(session, deputy.id, evidence)
        assert found is not None
        return found
    return row


def _by_evidence(session: Session, deputy_id: int, evidence: str) -> DutyActivity | None:
    return session.scalar(select(DutyActivity).where(DutyActivity.deputy_id == deputy_id,
                                                     DutyActivity.evidence == evidence))


def for_year(session: Session, deputy_id: int, year: int,
             kinds: Iterable[str] | None = None) -> list[DutyActivity]:
    """A deputy's activities in one calendar year, oldest first."""
    query = select(DutyActivity).where(DutyActivity.deputy_id == deputy_id, DutyActivity.day >= date(year, 1, 1),
                                       DutyActivity.day < date(year + 1, 1, 1))
    if kinds is not None:
        query = query.where(DutyActivity.kind.in_(list(kinds)))
    return list(session.scalars(query.order_by(DutyActivity.day, DutyActivity.id)))


def deputy_by_code(session: Session, code: str) -> Deputy:
    found = session.scalar(select(Deputy).where(Deputy.code == (code or "").strip()))
    if found is None:
        raise DutyError(f"名册里没有编号为 {code} 的代表")
    return found
