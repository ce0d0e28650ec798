"""The duty record as the console shows it, and who may see or enter what.

- admin, staff: every deputy's record, the station report, and entering
  activities (one deputy or many at one event).
- deputy: their own record only, read-only (they add theirs from WeChat).
- county (县人大): none. Its rule everywhere else is "only what was escalated
  to the county", and the record holds the people deputies visited and their
  notes; the station sends the county the .xlsx report.

Which site each deputy belongs to is the reception rota's rule, read in
one place (sites.py)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Deputy, DutyActivity, Reception, ReceptionDuty, Role, Ticket, Township
from ..accounts import Forbidden, access, audit
from .activities import DutyError, deputy_by_code, for_year, record
from .items import ITEMS, KIND_NAMES, SOURCE_NAMES

# What staff enter by hand: the ten items and duties during sessions. Casework and
# broadcasts are recorded by the system from the tickets and broadcasts themselves.
ENTRY_KINDS = tuple(i.kind for i in ITEMS) + ("session",)
MAX_DEPUTIES = 200
TOKEN_PREFIX = "entry:"


def require_staff(user: object) -> None:
    access.require(user, Role.ADMIN, Role.STAFF)


def sees_all(user: object) -> bool:
    try:
        require_staff(user)
    except Forbidden:
        return False
    return True


def own_code(session: Session, user: object) -> str | None:
    """The roster code of the deputy a deputy's account speaks for."""
    deputy_id = access.own_deputy(user)
    return session.scalar(select(Deputy.code).where(Deputy.id == deputy_id)) if deputy_id else None


def deputy_for(session: Session, user: object, code: str) -> Deputy:
    """The deputy whose record this user may open; Forbidden otherwise."""
    if not sees_all(user):
        access.require(user, Role.DEPUTY)
        if access.own_deputy(user) is None or own_code(session, user) != (code or "").strip():
            raise Forbidden("没有权限：代表账号只能查看本人的履职档案")
    return deputy_by_code(session, code)


def station_name(session: Session) -> str:
    township = session.scalar(select(Township.name).order_by(Township.id).limit(1))
    return f"{township or ''}人大代表联络站"


@dataclass(frozen=True)
class Evidence:
    """Where an activity came from, for a link: ("ticket", number) or ("reception", site code, nominal day)."""
    label: str
    target: tuple[str, ...] | None = None


def _evidence(session: Session, text: str | None) -> Evidence | None:
    if not text or text.startswith(TOKEN_PREFIX):
        return None
    head, _, rest = text.partition(":")
    ident = rest.split(":", 1)[0]
    if head == "ticket" and ident.isdigit():
        number = session.scalar(select(Ticket.number).where(Ticket.id == int(ident)))
        return Evidence(f"工单 {number}", ("ticket", number)) if number else Evidence("工单（已删除）")
    if head == "reception-duty" and ident.isdigit():
        found = session.execute(select(Reception).join(ReceptionDuty, ReceptionDuty.reception_id == Reception.id)
                                .where(ReceptionDuty.id == int(ident))).scalar()
        if found is not None:
            return Evidence(f"{found.site.name} {found.nominal.month}月接待日",
                            ("reception", found.site.code, found.nominal.isoformat()))
        return Evidence("接待日值班")
    if head == "inbound":
        return Evidence("代表微信消息")
    return Evidence(text[:40])


@dataclass(frozen=True)
class Line:
    id: int
    day: date
    kind: str
    kind_name: str
    place: str
    people: str
    note: str
    photos: int
    source: str
    entered_by: str
    counts: bool
    evidence: Evidence | None


def lines(session: Session, deputy: Deputy, year: int) -> list[Line]:
    """A deputy's activities of the year, newest first, with where each came from."""
    out = [Line(id=a.id, day=a.day, kind=a.kind, kind_name=KIND_NAMES.get(a.kind, a.kind), place=a.place,
                people=a.people, note=a.note, photos=len(a.photos or []), source=SOURCE_NAMES.get(a.source, a.source),
                entered_by=a.entered_by or "", counts=a.counts, evidence=_evidence(session, a.evidence))
           for a in for_year(session, deputy.id, year)]
    return out[::-1]


VIEW_ACTION = "duty.view"


def audit_view(session: Session, *, actor: str, deputy: Deputy, year: int, shown: int, now: datetime,
               address: str | None = None) -> None:
    """Reading a deputy's record shows the people visited and the notes (民情笔记): one
    audit row naming the deputy and the year, never the notes' words."""
    audit.record(session, actor=actor, action=VIEW_ACTION, target=deputy.code,
                 detail=f"{year}年履职档案，{shown} 条活动", address=address, now=now)


def enter(session: Session, user: object, *, codes: Sequence[str], kind: str, day: date, now: datetime,
          place: str = "", people: str = "", note: str = "", token: str = "") -> list[DutyActivity]:
    """Staff enter one activity for one or more deputies (one training attended by 30).
    Everything is checked before anything is written; `token` (one per form shown)
    makes a second submission of the same form record nothing."""
    require_staff(user)
    return enter_as(session, entered_by=getattr(user, "username", None), codes=codes, kind=kind, day=day,
                    now=now, place=place, people=people, note=note, token=token)


def enter_as(session: Session, *, entered_by: str | None, codes: Sequence[str], kind: str, day: date,
             now: datetime, place: str = "", people: str = "", note: str = "",
             token: str = "") -> list[DutyActivity]:
    """`enter` for a caller with no console account (`liaison duty add`, run by whoever
    holds the server): the same kinds and checks, `entered_by` as given."""
    if kind not in ENTRY_KINDS:
        raise DutyError("请选择活动种类")
    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not wanted:
        raise DutyError("请至少选择一位代表")
    if len(wanted) > MAX_DEPUTIES:
        raise DutyError(f"一次最多录入 {MAX_DEPUTIES} 位代表")
    evidence = None
    if token:
        evidence = TOKEN_PREFIX + "".join(c for c in token if c.isalnum())[:32]
        if session.scalar(select(DutyActivity.id).where(DutyActivity.evidence == evidence).limit(1)):
            raise DutyError("这次录入已经保存过了，没有重复记录")
    deputies = [deputy_by_code(session, c) for c in wanted]
    return [record(session, deputy=d, kind=kind, day=day, source="staff", now=now, place=place, people=people,
                   note=note, entered_by=entered_by, evidence=evidence) for d in deputies]
