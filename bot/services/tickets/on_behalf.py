"""A ticket a deputy files for a voter they visited (代为反映): the visit note
("走访 新民村 李大爷家，反映灌溉渠堵塞") reports a problem, so the matter is
tracked like any voter's opinion. The voter is a roster-less voter of the
village the place names (no WeChat: they hear through the deputy), and the
deputy who heard it holds it. A ticket is opened only when the deputy wrote
"代为反映" (the voter agreed: recorded on the "created" event) or the matter is
urgent (recorded as "紧急情况代为反映", claiming no consent). When only the
classifier thinks the note reports a problem, the visit is recorded and the
deputy is told how to file it with the voter's consent: nobody's consent is
invented. A complaint about that deputy, a sensitive
matter or a wish not to be named stays with the staff, as for any voter."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...models import Deputy, Ticket, Village, Voter
from .. import texts
from ..outbox import notify
from ..outcome import Outcome
from ..station import Station
from . import confidential
from .assignment import Assignment
from .classify import Classification, classify
from .records import open_ticket, record


def _plain(note: str) -> str:
    """The note without the consent marker: the matter as the voter put it."""
    return re.sub(r"\s+", " ", note.replace(texts.ON_BEHALF, " ")).strip(" ：:，,。")


ASKED, URGENT, SUGGEST = "asked", "urgent", "suggest"


def reports_problem(note: str) -> tuple[str | None, Classification | None]:
    """What the visit note asks for: ASKED (the deputy wrote "代为反映": file it), URGENT
    (an urgent matter: file it without claiming consent), SUGGEST (the classifier reads an
    opinion but nobody said the voter agreed: only tell the deputy how) or None ("拉了拉家常")."""
    text = _plain(note)
    if not text:
        return None, None
    found = classify(text)
    if texts.ON_BEHALF in note:
        return ASKED, found
    if found.urgent:
        return URGENT, found
    if found.intent == "opinion" and not found.needs_triage:
        return SUGGEST, found
    return None, found


def village_in(session: Session, place: str, note: str) -> Village | None:
    """The village named in the place (or the note), longest name first: "新民村李大爷家" is 新民村."""
    names = session.execute(select(Village).order_by(func.length(Village.name).desc(), Village.id)).scalars()
    for village in names:
        if village.name and (village.name in place or village.name in note):
            return village
    return None


def report(session: Session, deputy: Deputy, place: str, note: str, now: datetime, station: Station,
           found: Classification | None = None, why: str = ASKED) -> Outcome:
    """Open the ticket for the visited voter (why: ASKED or URGENT, from reports_problem);
    the Outcome's reply is for the deputy."""
    if why not in (ASKED, URGENT):
        raise ValueError(f"no ticket for a visit note read as {why!r}")
    text = f"{place}：{_plain(note)}"
    found = found or classify(_plain(note))
    village = village_in(session, place, note)
    voter = Voter(openid=None, subscribed=False, created_at=now, village_id=village.id if village else None,
                  site_id=(village.site_id if village else None) or deputy.site_id)
    session.add(voter)
    session.flush()
    chosen = Assignment(deputy, "visit", voter.home_site_id)
    consent = (f"{texts.ON_BEHALF}：" + texts.ON_BEHALF_NOTE.format(deputy=deputy.name, place=place)
               if why == ASKED else
               f"{texts.ON_BEHALF_URGENT}：" + texts.ON_BEHALF_URGENT_NOTE.format(deputy=deputy.name, place=place))
    finding = confidential.check(voter, chosen, text, found)
    if finding:
        done = confidential.open_confidential(session, voter, text, now, found, chosen, finding, station)
        _consent(session, done.ticket_id, deputy, consent, now)
        done.reply = texts.VISIT_TICKET_CONFIDENTIAL.format(number=session.get(Ticket, done.ticket_id).number)
        return done
    ticket = open_ticket(session, voter=voter, text=text, classification=found, assignment=chosen, now=now,
                         urgent=found.urgent, reported_by=f"deputy:{deputy.id}", report_note=consent)
    ticket.place = place
    pushes = notify.urgent_to_staff(session, ticket, station.staff_openids, now) if found.urgent else []
    reply = texts.VISIT_TICKET.format(number=ticket.number, short=int(ticket.number.rsplit("-", 1)[1]))
    return Outcome(reply, ticket.id).add_pushes(pushes)


def _consent(session: Session, ticket_id: int | None, deputy: Deputy, consent: str, now: datetime) -> None:
    ticket = session.get(Ticket, ticket_id)
    record(session, ticket, "note", f"deputy:{deputy.id}", now, consent)  # an internal note: never pushed
    session.flush()


def attach(session: Session, ticket_id: int, deputy: Deputy, media_type: str, media_id: str,
           now: datetime) -> Ticket | None:
    """A photo or video the deputy took on the visit that filed this ticket: kept with the
    ticket (the worker saves it, as a voter's), for the staff and the paperwork. Nobody is
    pushed: the deputy holding it sent it."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.deputy_id != deputy.id:
        return None
    record(session, ticket, "attachment", f"deputy:{deputy.id}", now, f"{media_type}:{media_id}")
    session.flush()
    return ticket
