"""What the system records by itself (issue 15, item 1): a deputy's handling of
tickets, suggestions they escalated, receptions they attended. Callers are the
places where those things happen (the ticket desk, the reception desk's
attendance, the 签到 check-in); they import this module, never the other way
round, so duty stays below tickets and reception_desk (and services/reception,
which sits below duty through roster and outbox, never imports it). Each piece
of evidence makes one activity however often it arrives (activities.record), so
a retried task or a ticket resolved twice counts once."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ...models import Deputy, DutyActivity, ReceptionDuty, Ticket
from ..calendar.local_time import BEIJING
from .activities import record

# Ticket moves the record keeps, and the evidence word for each.
CASEWORK = {"accept": "accepted", "reply": "replied", "resolve": "resolved"}
CHECK_IN = "代表签到"  # reception_duties.marked_by when the deputy checked in on WeChat


def own_actor(deputy: Deputy) -> str:
    """How the deputy's own moves are recorded on ticket events (services/tickets/desk.py)."""
    return f"deputy:{deputy.id}"


def ticket_evidence(ticket_id: int, what: str) -> str:
    return f"ticket:{ticket_id}:{what}"


def ticket_moved(session: Session, deputy: Deputy, ticket: Ticket, action: str, now: datetime,
                 actor: str) -> DutyActivity | None:
    """A ticket move made by `deputy` themselves (`actor` "deputy:<id>": WeChat, the phone
    pages, their console account): accepting, replying and resolving are casework;
    escalating to the county is a suggestion that counts only once staff mark it
    formal (formal.py). Other moves, and moves staff make in the console on the
    deputy's ticket (the staff's work, not the deputy's): nothing."""
    if actor != own_actor(deputy):
        return None
    day = now.astimezone(BEIJING).date()
    note = f"{ticket.number} {ticket.category}"
    if action in CASEWORK:
        return record(session, deputy=deputy, kind="casework", day=day, source="auto", now=now,
                      evidence=ticket_evidence(ticket.id, CASEWORK[action]), note=note, entered_by=actor)
    if action == "escalate" and ticket.level == "county":
        return record(session, deputy=deputy, kind="suggestion", day=day, source="auto", now=now,
                      evidence=ticket_evidence(ticket.id, "escalated"), note=note, entered_by=actor, counts=False)
    return None


def reception_evidence(duty: ReceptionDuty) -> str:
    return f"reception-duty:{duty.id}"


def reception_attended(session: Session, duty: ReceptionDuty, day: date, place: str, now: datetime, *,
                       source: str, by: str) -> DutyActivity:
    """A deputy on duty came to a reception: one "接待选民" (item 1) per duty row."""
    return record(session, deputy=duty.deputy, kind="reception", day=day, source=source, now=now,
                  evidence=reception_evidence(duty), place=place, entered_by=by)


def reception_marked(session: Session, rows: list[ReceptionDuty], day: date, place: str, now: datetime, *,
                     by: str) -> None:
    """Staff marked a reception's attendance: the record follows the sheet. Present: one
    activity per duty row (also for a mark made before the duty record existed); absent: none."""
    for row in rows:
        if row.attended:
            reception_attended(session, row, day, place, now, source="auto", by=by)
        else:
            reception_withdrawn(session, row)


def reception_withdrawn(session: Session, duty: ReceptionDuty) -> int:
    """Staff marked absent a deputy marked present before (or who checked in):
    the record follows the attendance sheet, so the activity goes. A row kept
    with counts=False would read as "awaiting staff's word", which it is not.
    Returns how many rows went (0 or 1)."""
    done = session.execute(delete(DutyActivity).where(DutyActivity.deputy_id == duty.deputy_id,
                                                      DutyActivity.evidence == reception_evidence(duty)))
    session.flush()
    return done.rowcount or 0
