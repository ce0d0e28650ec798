"""Staff's word on an escalated suggestion: a ticket a deputy escalated to the
county is recorded as a "建议批评和意见" activity that does not count yet
(sources.ticket_moved); staff mark it a formal suggestion (item 9 counts it)
or take that back. Both doors (the console's ticket page and `liaison duty
formal`) come here and audit what changed (duty sits below accounts, whose
audit log it cannot import without a cycle through tickets)."""
from __future__ import annotations

from dataclasses import dataclass
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import DutyActivity, Ticket
from .activities import DutyError
from .sources import ticket_evidence


@dataclass(frozen=True)
class Marked:
    number: str
    formal: bool  # the state now
    changed: int  # activities whose state changed (0: it already was)
    deputies: tuple[str, ...]  # who escalated it, by name
    changed_for: tuple[str, ...] = ()


def suggestions(session: Session, ticket: Ticket) -> list[DutyActivity]:
    """The escalation activities of this ticket (one per deputy who escalated it to the county)."""
    return list(session.scalars(select(DutyActivity).where(
        DutyActivity.kind == "suggestion", DutyActivity.evidence == ticket_evidence(ticket.id, "escalated"))
        .order_by(DutyActivity.id)))


def state(session: Session, ticket: Ticket) -> bool | None:
    """None: no escalated suggestion; else whether staff marked it formal."""
    rows = suggestions(session, ticket)
    return None if not rows else all(r.counts for r in rows)


def mark(session: Session, number: str, *, formal: bool, year: int | None = None) -> Marked:
    """Mark the ticket's escalated suggestion formal (or not); raises DutyError (Chinese).
    `number` as on the ticket (2026-000123) or as deputies write it (123): a short
    number is this year's ticket (`year`, the caller's Beijing year), never a guess
    among other years' tickets with the same sequence."""
    number = (number or "").strip()
    if number.isdigit() and len(number) <= 6:  # "123" as deputies write it
        if year is None:
            raise DutyError(f"请写完整的工单编号（如 2026-{int(number):06d}）")
        ticket = session.scalar(select(Ticket).where(Ticket.number == f"{year}-{int(number):06d}"))
        if ticket is None:
            raise DutyError(f"{year}年没有序号为 {int(number)} 的工单；其他年份的工单请写完整编号"
                            f"（如 {year - 1}-{int(number):06d}）")
    else:
        ticket = session.scalar(select(Ticket).where(Ticket.number == number))
    if ticket is None:
        raise DutyError(f"没有编号为 {number} 的工单")
    rows = suggestions(session, ticket)
    if not rows:
        raise DutyError(f"{ticket.number} 没有上报县人大的记录，不能认定为正式建议")
    changed = [r for r in rows if r.counts is not formal]
    for row in changed:
        row.counts = formal
    session.flush()
    return Marked(ticket.number, formal, len(changed), tuple(r.deputy.name for r in rows),
                  tuple(r.deputy.name for r in changed))


def audit_fields(done: Marked) -> dict[str, str]:
    """What the caller writes to the audit log for a change (action, target, detail)."""
    return {"action": "duty.formal" if done.formal else "duty.informal", "target": done.number,
            "detail": "、".join(done.changed_for)}
