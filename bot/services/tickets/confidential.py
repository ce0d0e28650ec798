"""Confidential tickets: a complaint about the deputy it would go to, a matter
of discipline or the law, or one whose voter asked not to be named stays with
the station staff. No deputy is assigned, sees it in `我的工单`, may act on it
by command, or opens it in the console (services/accounts/access.py); it is
never merged with other reports; staff hear of it with the voter masked.

A voter may ask for anonymity in any message: "匿名" or "不要告诉代表是我"
takes their latest open ticket back from its deputy, who is told only that
the station took it over.

Every path by which words reach a deputy checks them first: a follow-up or
an urgent report's addition (about_holders, then add_privately), a rating's
comment (rated_privately), "没解决" (withdraw), an escalation, a merge and a
staff assignment (naming: the ticket never goes to a deputy it names)."""
from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import OPEN_STATUSES, Deputy, OutboundPush, Ticket, TicketEvent, TicketStatus, Voter
from ...nlp import confidential as detector
from .. import texts
from ..outbox import notify
from ..outbox.staff_alerts import confidential_to_staff, reasons_text
from ..outcome import Outcome
from ..roster.voters import masked
from ..station import Station
from .assignment import Assignment
from .classify import Classification, matters
from .followup import add, holders, told
from .lifecycle import move, release_duplicates, to_people
from .records import open_ticket, record

log = logging.getLogger(__name__)

# A request with more left than this, once the request is taken out, says something of its own.
BARE_REQUEST = 12
_PUNCT = re.compile(r"[\W_]+")


def check(voter: Voter, chosen: Assignment, text: str, found: Classification) -> detector.Finding:
    """Why `text` must stay with the staff: the deputies it would reach are the
    one chosen and the voter's own group deputy (reachable or not). Danger
    ("有人拿刀砍人") is 政法 too, but the deputy nearby may help at once: for an
    urgent report only its naming the deputy or asking for anonymity count."""
    own = voter.group.deputy if voter.group is not None else None
    names = [d.name for d in (chosen.deputy, own) if d is not None and d.name]
    finding = detector.detect(text, list(dict.fromkeys(names)), found.category)
    if found.urgent:
        return detector.Finding(tuple(r for r in finding.reasons if r != detector.SENSITIVE), finding.named)
    return finding


def about_holders(ticket: Ticket, text: str) -> detector.Finding:
    """Why words added to `ticket` must not reach the deputies who hold it."""
    return detector.detect(text, [d.name for d in holders(ticket) if d.name])


def naming(ticket: Ticket, deputies: list[Deputy | None], text: str | None = None) -> str | None:
    """The name of the deputy among `deputies` that the ticket's voters name, in
    its text or their additions (or in `text`, when given): such a deputy must
    never be given the ticket, by escalation, merging or assignment."""
    names = [d.name for d in deputies if d is not None and d.name]
    said = [text] if text is not None else told(ticket)
    return next((n for n in dict.fromkeys(names) if any(detector.names(t, n) for t in said)), None)


def _mark(session: Session, ticket: Ticket, reasons: tuple[str, ...], actor: str, now: datetime,
          named: str | None) -> TicketEvent:
    codes = [c for c in (ticket.confidential_reason or "").split(",") if c]
    codes += [r for r in reasons if r not in codes]
    ticket.confidential, ticket.confidential_reason = True, ",".join(codes)[:64]
    ticket.needs_triage, ticket.updated_at = True, now
    event = record(session, ticket, "confidential", actor, now, reasons_text(ticket.confidential_reason, named))
    session.flush()
    return event


def open_confidential(session: Session, voter: Voter, text: str, now: datetime, found: Classification,
                      chosen: Assignment, finding: detector.Finding, station: Station) -> Outcome:
    """Open the ticket for the staff alone: no deputy, no merging, staff alerted with the voter masked."""
    kept = Assignment(None, "triage", chosen.site_id)
    ticket = open_ticket(session, voter=voter, text=text, classification=found, assignment=kept, now=now,
                         urgent=found.urgent, needs_triage=True)
    event_id = _mark(session, ticket, finding.reasons, "system", now, finding.named).id
    pushes = confidential_to_staff(session, ticket, station.staff_openids, named=finding.named,
                                   mask_village=station.mask_village, event_id=event_id, now=now)
    deputy = texts.CONFIDENTIAL_DEPUTY_NAMED.format(name=finding.named) if finding.named \
        else texts.CONFIDENTIAL_DEPUTY_ANY
    reply = texts.RECEIVED_CONFIDENTIAL.format(number=ticket.number, deputy=deputy)
    if found.urgent:
        reply += texts.URGENT_ADVICE
    return Outcome(reply, ticket.id).add_pushes(pushes)


def withdraw(session: Session, ticket: Ticket, now: datetime, station: Station,
             reasons: tuple[str, ...] = (detector.ANONYMITY,), *, actor: str | None = None,
             tell_deputies: bool = True, named: str | None = None, said: str | None = None) -> list[OutboundPush]:
    """Take a ticket back from its deputies for the staff alone. The deputies
    hear only that the station took it over (unless `tell_deputies` is False:
    the deputy acting is told in the reply); pushes of this ticket still
    waiting for them are stopped; reports merged into it go back to the triage
    queue on their own; a report merged into another is unlinked (its deputy
    is not told: nothing of theirs changes, and a notice would point at the
    voter of that report). `said`: the voter's new words, for the staff."""
    session.refresh(ticket, with_for_update=True)
    people = tell = holders(ticket)
    actor = actor or f"voter:{ticket.voter_id}"
    pushes: list[OutboundPush | None] = []
    if ticket.status == TicketStatus.MERGED:
        primary = session.get(Ticket, ticket.duplicate_of_id) if ticket.duplicate_of_id else None
        people, tell = (holders(primary) if primary is not None else []), []
        move(session, ticket, "unmerge", actor, now, primary.number if primary is not None else "")
        ticket.duplicate_of_id, ticket.sla_started_at = None, now
    else:
        pushes += release_duplicates(session, ticket, actor, now)
    stop_pushes(session, ticket, [*people, ticket.deputy, ticket.escalated_to])
    ticket.deputy, ticket.escalated_to, ticket.accepted_at = None, None, None
    event = _mark(session, ticket, reasons, actor, now, named)
    if tell_deputies:
        pushes += to_people(session, ticket, event, [d.openid for d in tell], "ticket_taken_over",
                            texts.DEPUTY_TAKEN_OVER.format(number=ticket.number), texts.DEPUTY_NEW_TICKET_TITLE, now)
    from_whom = texts.STAFF_WITHDRAWN_FROM.format(deputy="、".join(d.name for d in people)) if people \
        else texts.STAFF_WITHDRAWN_QUEUE
    pushes += confidential_to_staff(session, ticket, station.staff_openids, named=named,
                                    mask_village=station.mask_village, event_id=event.id, now=now,
                                    withdrawn_from=from_whom, said=said)
    return [p for p in pushes if p is not None]


def stop_pushes(session: Session, ticket: Ticket, deputies: list[Deputy | None]) -> int:
    """Pushes of `ticket` to these deputies not sent yet (waiting for a retry or
    the sweep, or held for a digest) are stopped: they hold the voter's words."""
    openids = {d.openid for d in deputies if d is not None and d.openid}
    if not openids:
        return 0
    stopped = notify.stop(session, (OutboundPush.ticket_id == ticket.id) & OutboundPush.recipient_openid.in_(openids),
                          "withdrawn")
    if stopped:
        log.info("ticket %s withdrawn: %d unsent deputy pushes stopped", ticket.number, stopped)
    return stopped


def rated_privately(session: Session, ticket: Ticket, value: int, comment: str, finding: detector.Finding,
                    now: datetime, station: Station) -> list[OutboundPush]:
    """A rating whose comment must not reach the deputy: the ticket becomes
    confidential and the staff get the comment, the voter masked."""
    event = _mark(session, ticket, finding.reasons, f"voter:{ticket.voter_id}", now, finding.named)
    text = texts.STAFF_CONFIDENTIAL_RATING.format(
        number=ticket.number, category=ticket.category, who=masked(ticket.voter, station.mask_village),
        score=value, comment=comment, reasons=reasons_text(ticket.confidential_reason, finding.named))
    return to_people(session, ticket, event, list(station.staff_openids), "confidential_alert", text,
                     texts.STAFF_CONFIDENTIAL_TITLE, now)


def latest_own(session: Session, voter: Voter) -> Ticket | None:
    """The voter's own newest open ticket, or merged report."""
    return session.scalar(select(Ticket).where(Ticket.voter_id == voter.id,
                                               Ticket.status.in_(OPEN_STATUSES + (TicketStatus.MERGED,)))
                          .order_by(Ticket.id.desc()).limit(1))


def is_bare_request(text: str) -> bool:
    """"匿名", "请不要告诉代表是我说的": a request about what was already said, nothing new."""
    if not detector.asks_anonymity(text) or detector.is_question(text):
        return False
    rest = detector.without_request(text)
    return not matters(rest) and len(_PUNCT.sub("", rest)) <= BARE_REQUEST


def on_request(session: Session, voter: Voter, now: datetime, station: Station) -> Outcome:
    """A bare request for anonymity: the voter's latest open ticket goes to the staff alone."""
    ticket = latest_own(session, voter)
    if ticket is None:
        return Outcome(texts.ANONYMITY_NOTHING)
    if ticket.confidential:
        return Outcome(texts.ANONYMITY_ALREADY.format(number=ticket.number), ticket.id)
    reply, pushes = _withdrawn(session, ticket, now, station)
    return Outcome(reply, ticket.id).add_pushes(pushes)


def _withdrawn(session: Session, ticket: Ticket, now: datetime, station: Station,
               reasons: tuple[str, ...] = (detector.ANONYMITY,), **how) -> tuple[str, list[OutboundPush]]:
    people = holders(_handled_as(session, ticket))
    pushes = withdraw(session, ticket, now, station, reasons, **how)
    deputy = "、".join(f"{d.name} 代表" for d in people) or texts.CONFIDENTIAL_DEPUTY_ANY
    return texts.ANONYMITY_WITHDRAWN.format(number=ticket.number, deputy=deputy), pushes


def add_privately(session: Session, voter: Voter, ticket: Ticket, text: str, now: datetime,
                  station: Station, reasons: tuple[str, ...] = (detector.ANONYMITY,),
                  named: str | None = None) -> Outcome:
    """A follow-up that asks for anonymity: the voter's own ticket (`ticket`, or
    theirs merged into it) is withdrawn first, then the words are added to it,
    so no deputy reads them."""
    own = ticket if ticket.voter_id == voter.id else session.scalar(
        select(Ticket).where(Ticket.voter_id == voter.id, Ticket.duplicate_of_id == ticket.id,
                             Ticket.status == TicketStatus.MERGED).order_by(Ticket.id.desc()).limit(1))
    if own is None:  # nothing of theirs to withdraw; never another voter's ticket
        return Outcome(texts.ANONYMITY_NOTHING)
    if own.confidential:
        reply, pushes = texts.ANONYMITY_ALREADY.format(number=own.number), []
    else:
        reply, pushes = _withdrawn(session, own, now, station, reasons, named=named, said=text)
    done = add(session, own, text, now, by=voter)
    done.reply = reply
    return done.add_pushes(pushes)


def _handled_as(session: Session, ticket: Ticket) -> Ticket:
    if ticket.status == TicketStatus.MERGED and ticket.duplicate_of_id:
        return session.get(Ticket, ticket.duplicate_of_id) or ticket
    return ticket
