"""SLA in working days: a deputy acknowledges (受理) within `ack_days` and
resolves (办结) within `resolve_days`, counted from opening or reopening.

Past the reopening period a resolved ticket is closed.

Run once a day (Celery beat, or `liaison tickets sla --today YYYY-MM-DD`): it
reads open tickets from the database, reminds the deputy whose ticket waits
for acknowledgement, and tells the county deputy who contacts them under
"3+10" and the station staff about a ticket past its resolve deadline. Each
happens once per SLA cycle (a ticket event marks it), so a re-run is harmless.

A deputy who cannot be reached on WeChat is not reminded into the void: the
staff are told instead, and the event says who was. A ticket escalated (上报)
is chased with the deputy it went up to and that level's office. Two runs at
once (the beat job and `liaison tickets sla`) do not both act on a ticket:
each locks the rows it handles and skips the ones another run holds
(SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite serializes writers).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...models import OPEN_STATUSES, Ticket
from .. import texts
from ..calendar.local_time import BEIJING
from ..calendar.workdays import add_workdays
from ..outcome import Outcome
from ..roster.voters import village_name
from ..station import Station
from .desk import escalations, upper_deputy
from .lifecycle import FINISHED, WAITING, deputy_openid, move, to_people
from .records import record

log = logging.getLogger(__name__)


@dataclass
class Report:
    """The numbers of the tickets reminded, past their SLA and closed, for the
    command's report; `outcome` holds the pushes to deliver."""
    reminded: list[str] = field(default_factory=list)
    breached: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    outcome: Outcome = field(default_factory=Outcome)


def run(session: Session, today: date, now: datetime, station: Station) -> Report:
    out = Report()
    rows = session.scalars(select(Ticket).where(Ticket.status.in_(OPEN_STATUSES))
                           .options(selectinload(Ticket.events)).order_by(Ticket.id)
                           .with_for_update(skip_locked=True, of=Ticket)).all()
    for ticket in rows:
        since = ticket.sla_started_at or ticket.created_at
        start = since.astimezone(BEIJING).date()
        done = {e.kind for e in ticket.events if e.created_at >= since}
        if (ticket.status in WAITING and ticket.deputy is not None and "sla_reminded" not in done
                and today >= add_workdays(start, station.ack_days)):
            _remind(session, ticket, now, station, out)
        if "sla_breached" not in done and today >= add_workdays(start, station.resolve_days):
            _breach(session, ticket, now, station, out)
    _close_finished(session, today, now, station, out)
    return out


def _close_finished(session: Session, today: date, now: datetime, station: Station, out: Report) -> None:
    """Resolved (rated or not) tickets past the reopening period are closed."""
    rows = session.scalars(select(Ticket).where(Ticket.status.in_(FINISHED),
                                                Ticket.resolved_at.is_not(None)).order_by(Ticket.id)
                           .with_for_update(skip_locked=True, of=Ticket)).all()
    for ticket in rows:
        if (today - ticket.resolved_at.astimezone(BEIJING).date()).days > station.reopen_days:
            move(session, ticket, "close", "system", now, f"办结超过 {station.reopen_days} 天")
            out.closed.append(ticket.number)


def _remind(session: Session, ticket: Ticket, now: datetime, station: Station, out: Report) -> None:
    deputy = deputy_openid(ticket.deputy)
    openids = [deputy] if deputy else list(station.staff_openids)
    if not openids:
        log.error("ticket %s waits for acknowledgement: deputy %s unreachable and no staff WeChat configured "
                  "(LIAISON_STAFF_OPENIDS); nobody reminded", ticket.number, ticket.deputy.code)
        return
    told = f"{ticket.deputy.name} 代表" if deputy else f"工作人员（{ticket.deputy.name} 代表联系不上）"
    event = record(session, ticket, "sla_reminded", "system", now, f"{station.ack_days} 个工作日未受理；提醒 {told}")
    session.flush()
    text = texts.SLA_ACK_REMINDER.format(number=ticket.number, category=ticket.category,
                                         village=village_name(ticket.village), days=station.ack_days,
                                         short=int(ticket.number[-6:]))
    if not deputy:
        log.warning("ticket %s: deputy %s unreachable, SLA reminder sent to the staff", ticket.number,
                    ticket.deputy.code)
        text += texts.SLA_REMINDER_UNREACHABLE.format(deputy=ticket.deputy.name)
    out.outcome.add_pushes(to_people(session, ticket, event, openids, "sla_reminder", text, texts.SLA_REMINDER_TITLE,
                                     now))
    out.reminded.append(ticket.number)


def _breach(session: Session, ticket: Ticket, now: datetime, station: Station, out: Report) -> None:
    status = texts.STATUS_NAMES.get(ticket.status)
    deputy = ticket.deputy.name if ticket.deputy else "（待分派）"
    if escalations(ticket):  # it went up: chase it where it is now
        upper = ticket.escalated_to if deputy_openid(ticket.escalated_to) else None
        offices = station.city_office_openids if ticket.level == "city" else station.county_office_openids
        body = texts.BODY_NAMES["city" if ticket.level == "city" else "county"]
        openids = [deputy_openid(upper), *offices]
        told = "、".join(filter(None, [upper.name if upper else "", body if offices else ""])) or "（无）"
        text = texts.SLA_BREACH_ESCALATED.format(number=ticket.number, category=ticket.category,
                                                 village=village_name(ticket.village), deputy=deputy, body=body,
                                                 upper=f"、{ticket.escalated_to.name} 代表" if ticket.escalated_to
                                                 else "", days=station.resolve_days, status=status)
    else:
        county = upper_deputy(session, "county_township", ticket.deputy_id) if ticket.deputy_id else None
        openids = [deputy_openid(county)]
        told = county.name if county else "（无联系的县代表）"
        text = texts.SLA_BREACH.format(number=ticket.number, category=ticket.category,
                                       village=village_name(ticket.village), deputy=deputy,
                                       days=station.resolve_days, status=status)
    event = record(session, ticket, "sla_breached", "system", now,
                   f"{station.resolve_days} 个工作日未办结；告知 {told} 和工作人员")
    session.flush()
    if not station.staff_openids:
        log.error("ticket %s past its SLA: no staff WeChat configured (LIAISON_STAFF_OPENIDS)", ticket.number)
    out.outcome.add_pushes(to_people(session, ticket, event, [*openids, *station.staff_openids], "sla_breach",
                                     text, texts.SLA_BREACH_TITLE, now))
    out.breached.append(ticket.number)
