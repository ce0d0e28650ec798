"""Urgent reports in a row: staff are alerted once per voter per window.

Twenty "着火了" in twenty seconds are one fire: the first opens an urgent ticket
and alerts the staff; the rest within the window join that ticket, and the
voter is still told how to stay safe. After the window a report alerts again."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import OPEN_STATUSES, Ticket, Voter
from ...nlp import confidential as detector
from .. import texts
from ..outcome import Outcome
from ..station import Station
from . import confidential, followup
from .classify import classify
from .records import record


def alerted_within(session: Session, voter: Voter, now: datetime, seconds: int) -> Ticket | None:
    """The voter's open urgent ticket opened (and so alerted) within `seconds`, if any."""
    if seconds <= 0:
        return None
    return session.scalar(select(Ticket).where(
        Ticket.voter_id == voter.id, Ticket.urgent.is_(True), Ticket.status.in_(OPEN_STATUSES),
        Ticket.created_at >= now - timedelta(seconds=seconds)).order_by(Ticket.id.desc()).limit(1))


def danger(text: str | None) -> bool:
    return bool(text and text.strip()) and classify(text.strip()).urgent


def unreported_danger(session: Session, openid: str, text: str | None, now: datetime, seconds: int) -> bool:
    """Whether `text` reports danger and staff were not alerted about this sender
    within `seconds`: such a message is handled even over the sender's rate limit."""
    if not danger(text):
        return False
    voter = session.scalar(select(Voter).where(Voter.openid == openid))
    return voter is None or alerted_within(session, voter, now, seconds) is None


def join(session: Session, ticket: Ticket, voter: Voter, text: str, now: datetime, station: Station) -> Outcome:
    """Add the report to the open urgent ticket. Its holders hear of it only when
    it says something new: a repeated "着火了" is kept, not pushed again. Words
    naming them or asking for anonymity take the ticket from them first (danger
    alone, 政法 as it is, does not: confidential.check)."""
    finding = confidential.about_holders(ticket, text)
    reasons = tuple(r for r in finding.reasons if r != detector.SENSITIVE)
    if reasons:
        done = confidential.add_privately(session, voter, ticket, text, now, station, reasons, named=finding.named)
        done.reply += texts.URGENT_ADVICE
        return done
    told = {ticket.text} | {e.note for e in ticket.events if e.kind == "followup" and e.actor.startswith("voter:")}
    event = record(session, ticket, "followup", f"voter:{voter.id}", now, text)
    session.flush()
    pushes = [] if text in told else followup.tell_holders(
        session, ticket, "followup", event.id, texts.DEPUTY_FOLLOWUP.format(number=ticket.number, text=text), now)
    reply = texts.URGENT_JOINED.format(number=ticket.number) + texts.URGENT_ADVICE
    return Outcome(reply, ticket.id).add_pushes(pushes)
