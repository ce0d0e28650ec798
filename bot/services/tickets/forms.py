"""The station's paperwork from tickets: the 闭会期间代表建议、批评和意见登记表
(one ticket, as Word: form_word.py) and the ticket list (as Excel:
form_sheet.py), both from the same rows built here.

What a row may say follows the console: the caller passes `where`
(services/accounts/access.py `visible`: deputies and the county office never
get a ticket they could not open, so never a confidential one) and `reveal`
(whether this reader may see voters' names, as the console's ticket page
shows them to admin and staff). A voter who asked not to be named is masked
on every exported file, whoever exports it: a form leaves the console and
may be handed to the office that handles the matter. Internal notes never
appear: the voter cannot see them and they are no part of the record."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from ...models import Deputy, NaturalVillage, Site, Ticket, TicketStatus, Township, Village
from ...nlp.confidential import ANONYMITY
from ..calendar.local_time import BEIJING
from ..outbox.staff_alerts import reasons_text
from ..roster.voters import display_name, village_name
from ..station import Station
from ..texts import STATUS_NAMES
from . import board

FORM_TITLE = "闭会期间代表建议、批评和意见登记表"
# A list export stops here: a township's tickets of several years fit; more wants narrower filters.
EXPORT_LIMIT = 5000
# The form's wording for the handling steps it reports (the record's other events are the system's own).
STEPS = {"accepted": "受理", "in_progress": "办理中", "replied": "答复", "transferred": "转办", "escalated": "上报",
         "resolved": "办结", "rejected": "不予受理", "returned": "退回重新分派", "reopened": "群众表示没有解决，重新办理",
         "merged": "与重复反映合并办理", "closed": "关闭"}
# Steps whose note is a name or a number, said in brackets rather than as words of the result.
NAMED_STEPS = ("accepted", "escalated", "merged")
SCORES = {1: "很不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "很满意"}
# Characters XML 1.0 (Word and Excel files) cannot hold; a voter's message may carry them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FormRow:
    """One ticket as the paper form has it (field order = the list's columns)."""

    number: str
    status: str
    deputy: str
    registered: str
    voter: str
    village: str
    category: str
    matter: str
    office: str
    result: str
    feedback: str
    remarks: str


# (field, column title): the form's boxes and the list's columns.
COLUMNS = (("number", "编号"), ("status", "状态"), ("deputy", "代表姓名"), ("registered", "登记日期"),
           ("voter", "反映人"), ("village", "联系村组"), ("category", "意见类别"), ("matter", "反映内容"),
           ("office", "承办单位"), ("result", "办理结果"), ("feedback", "群众反馈/满意度"), ("remarks", "备注"))
assert tuple(name for name, _ in COLUMNS) == tuple(f.name for f in fields(FormRow))


def clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "").strip()


def _day(when: datetime | None) -> str:
    return f"{when.astimezone(BEIJING):%Y-%m-%d}" if when is not None else ""


def asked_anonymity(ticket: Ticket) -> bool:
    return ANONYMITY in (ticket.confidential_reason or "").split(",")


def _voter(ticket: Ticket, reveal: bool) -> str:
    name = ticket.voter.name if ticket.voter is not None else None
    if reveal and not asked_anonymity(ticket):
        return clean(name) or "群众（未登记姓名）"
    return display_name(name)


def _village(session: Session, ticket: Ticket, reveal: bool) -> str:
    where = village_name(ticket.village)
    voter = ticket.voter
    if reveal and not asked_anonymity(ticket) and voter is not None and voter.natural_village_id:
        natural = session.get(NaturalVillage, voter.natural_village_id)
        if natural is not None and natural.name and natural.name != where:
            return f"{where} {natural.name}"
    return where


def _deputy(ticket: Ticket) -> str:
    if ticket.deputy is not None:
        return ticket.deputy.name
    return "联络站（保密件）" if ticket.confidential else "待分派"


def _matter(ticket: Ticket) -> str:
    """The voter's words, and what they added later (their own, or a merged voter's)."""
    lines = [clean(ticket.text)]
    for e in ticket.events:
        if e.kind == "followup" and clean(e.note):
            lines.append(f"（{_day(e.created_at)} 补充）{clean(e.note)}")
    return "\n".join(lines)


def _result(ticket: Ticket) -> str:
    lines = []
    for e in ticket.events:
        step = STEPS.get(e.kind)
        if step is None:
            continue
        note = clean(e.note)
        if note and e.kind in NAMED_STEPS:
            step = f"{step}（{note}）"
        elif note and e.kind not in ("reopened",):
            step = f"{step}：{note}"
        lines.append(f"{_day(e.created_at)} {step}")
    return "\n".join(lines) or "尚未办理"


def _feedback(ticket: Ticket) -> str:
    parts = []
    if ticket.rating:
        said = f"{ticket.rating} 分（{SCORES.get(ticket.rating, '')}）"
        comment = clean(ticket.rating_comment)
        parts.append(said + (f"：{comment}" if comment else ""))
    reopened = [e for e in ticket.events if e.kind == "reopened"]
    if reopened:
        parts.append(f"群众 {len(reopened)} 次表示没有解决（最近 {_day(reopened[-1].created_at)}）")
    if not parts and ticket.status == TicketStatus.RESOLVED:
        parts.append("已请群众评价，尚未回复")
    return "\n".join(parts) or "—"


def _remarks(session: Session, ticket: Ticket, reveal: bool) -> str:
    parts = []
    if ticket.urgent:
        parts.append("紧急")
    if ticket.confidential:
        parts.append(f"保密件，只由联络站工作人员处理（{reasons_text(ticket.confidential_reason, None)}）")
    if reveal and asked_anonymity(ticket):
        parts.append("群众要求不具名，反映人已隐去")
    if ticket.escalated_to is not None:
        parts.append(f"已上报 {ticket.escalated_to.name} 代表")
    if ticket.duplicate_of_id:
        primary = session.get(Ticket, ticket.duplicate_of_id)
        if primary is not None:
            parts.append(f"与 {primary.number} 合并办理")
    return "；".join(parts)


def row(session: Session, ticket: Ticket, *, reveal: bool) -> FormRow:
    """The form's boxes for a ticket the reader may see (the caller checked)."""
    return FormRow(number=ticket.number, status=STATUS_NAMES.get(ticket.status, ticket.status),
                   deputy=_deputy(ticket), registered=_day(ticket.created_at), voter=_voter(ticket, reveal),
                   village=_village(session, ticket, reveal), category=ticket.category,
                   matter=_matter(ticket), office=clean(ticket.office) or "—", result=_result(ticket),
                   feedback=_feedback(ticket), remarks=_remarks(session, ticket, reveal))


def station_name(session: Session) -> str:
    """"示范乡人大代表联络站": the township of the roster, when there is one."""
    township = session.scalar(select(Township.name).order_by(Township.id).limit(1))
    return f"{township or ''}人大代表联络站"


@dataclass
class Listing:
    rows: list[FormRow]
    total: int  # how many match; more than len(rows) when the export stopped at EXPORT_LIMIT


def listing(session: Session, where: ColumnElement[bool], filters: board.Filters, *, reveal: bool, now: datetime,
            station: Station, limit: int = EXPORT_LIMIT) -> Listing:
    """Every ticket the console's list shows for these filters, in its order:
    board.search page by page, so the file and the page never disagree."""
    found: list[Ticket] = []
    page, total = 1, 0
    while len(found) < limit:
        rows, total = board.search(session, where, filters, page=page, per_page=board.MAX_PER_PAGE, now=now,
                                   station=station)
        found += rows
        if not rows or len(found) >= total:
            break
        page += 1
    found = found[:limit]
    for start in range(0, len(found), 500):  # events, voters and upper deputies in a few queries
        ids = [t.id for t in found[start:start + 500]]
        session.scalars(select(Ticket).where(Ticket.id.in_(ids)).options(
            selectinload(Ticket.events), selectinload(Ticket.voter), selectinload(Ticket.escalated_to))).all()
    return Listing([row(session, t, reveal=reveal) for t in found], total)


def describe(session: Session, filters: board.Filters, *, quote: bool = True) -> list[tuple[str, str]]:
    """The filters in words, for the file's cover sheet and (with `quote` off: a search's
    length, never its words, which may be a voter's) the audit log."""
    out: list[tuple[str, str]] = []
    if filters.status:
        out.append(("状态", STATUS_NAMES.get(filters.status, filters.status)))
    if filters.category:
        out.append(("类别", filters.category))
    if filters.village_id:
        out.append(("村", session.scalar(select(Village.name).where(Village.id == filters.village_id)) or "?"))
    if filters.deputy_id:
        out.append(("代表", session.scalar(select(Deputy.name).where(Deputy.id == filters.deputy_id)) or "?"))
    if filters.site_id:
        out.append(("联络站点", session.scalar(select(Site.name).where(Site.id == filters.site_id)) or "?"))
    if filters.since:
        out.append(("从", filters.since.isoformat()))
    if filters.until:
        out.append(("到", filters.until.isoformat()))
    if filters.urgent is not None:
        out.append(("紧急", "紧急" if filters.urgent else "不紧急"))
    if filters.overdue is not None:
        out.append(("超时", "超过办结时限" if filters.overdue else "未超时"))
    if filters.text:
        out.append(("搜索", filters.text if quote else f"{len(filters.text)} 字"))
    return out


def summary(described: list[tuple[str, str]]) -> str:
    return "，".join(f"{k}：{v}" for k, v in described) or "全部"
