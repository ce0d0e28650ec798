"""SLA in working days: a deputy acknowledges (受理) within `ack_days` and
resolves (办结) within `resolve_days`, counted from opening or reopening.

Past the reopening period a resolved ticket is closed.

Run once a day (Celery beat, or `liaison tickets sla --today YYYY-MM-DD`): it
reads open tickets from the database, reminds the deputy whose ticket waits
for acknowledgement, and tells the county deputy who contacts them under
"3+10" and the station staff about a ticket past its resolve deadline. Each
happens once per SLA cycle (a ticket event marks it), so a re-run is harmless.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import OPEN_STATUSES, OutboundPush, Ticket
from . import texts
from .desk import local, upper_deputy
from .lifecycle import deputy_openid, move, to_people
from .station import Station
from .tickets import record
from .workdays import add_workdays

log = logging.getLogger(__name__)
WAITING = ("new", "reopened")


@dataclass
class SlaRun:
    reminded: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    pushes: list[OutboundPush] = field(default_factory=list)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)  # SQLite


def run(session: Session, today: date, now: datetime, station: Station) -> SlaRun:
    out = SlaRun()
    rows = session.scalars(select(Ticket).where(Ticket.status.in_(OPEN_STATUSES))
                           .options(selectinload(Ticket.events)).order_by(Ticket.id)).all()
    for ticket in rows:
        since = _aware(ticket.sla_started_at or ticket.created_at)
        start = local(since).date()
        done = {e.kind for e in ticket.events if _aware(e.created_at) >= since}
        if (ticket.status in WAITING and ticket.deputy is not None and "sla_reminded" not in done
                and today >= add_workdays(start, station.ack_days)):
            _remind(session, ticket, now, station, out)
        if "sla_breached" not in done and today >= add_workdays(start, station.resolve_days):
            _breach(session, ticket, now, station, out)
    _close_finished(session, today, now, station, out)
    return out


def _close_finished(session: Session, today: date, now: datetime, station: Station, out: SlaRun) -> None:
    """Resolved (rated or not) tickets past the reopening period are closed."""
    rows = session.scalars(select(Ticket).where(Ticket.status.in_(("resolved", "rated")),
                                                Ticket.resolved_at.is_not(None)).order_by(Ticket.id)).all()
    for ticket in rows:
        if (today - local(_aware(ticket.resolved_at)).date()).days > station.reopen_days:
            move(session, ticket, "close", "system", now, f"办结超过 {station.reopen_days} 天")
            out.closed.append(ticket.number)


def _village(ticket: Ticket) -> str:
    return ticket.village.name if ticket.village else "未登记村"


def _remind(session: Session, ticket: Ticket, now: datetime, station: Station, out: SlaRun) -> None:
    event = record(session, ticket, "sla_reminded", "system", now, f"{station.ack_days} 个工作日未受理")
    session.flush()
    text = texts.SLA_ACK_REMINDER.format(number=ticket.number, category=ticket.category, village=_village(ticket),
                                         days=station.ack_days, short=int(ticket.number[-6:]))
    out.pushes += to_people(session, ticket, event, [deputy_openid(ticket.deputy)], "sla_reminder", text,
                            texts.SLA_REMINDER_TITLE, now)
    out.reminded.append(ticket.number)


def _breach(session: Session, ticket: Ticket, now: datetime, station: Station, out: SlaRun) -> None:
    county = upper_deputy(session, "county_township", ticket.deputy_id) if ticket.deputy_id else None
    event = record(session, ticket, "sla_breached", "system", now,
                   f"{station.resolve_days} 个工作日未办结；告知 {county.name if county else '（无联系的县代表）'} 和工作人员")
    session.flush()
    text = texts.SLA_BREACH.format(number=ticket.number, category=ticket.category, village=_village(ticket),
                                   deputy=ticket.deputy.name if ticket.deputy else "（待分派）",
                                   days=station.resolve_days, status=texts.STATUS_NAMES.get(ticket.status))
    if not station.staff_openids:
        log.error("ticket %s past its SLA: no staff WeChat configured (LIAISON_STAFF_OPENIDS)", ticket.number)
    out.pushes += to_people(session, ticket, event, [deputy_openid(county), *station.staff_openids], "sla_breach",
                            text, texts.SLA_BREACH_TITLE, now)
    out.breached.append(ticket.number)
