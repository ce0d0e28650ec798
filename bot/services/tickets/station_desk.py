"""The station's own desk: tickets no deputy holds, above all confidential
ones (services/tickets/confidential.py), which the station staff handle
themselves. Admin and staff accounts may accept one (受理), reply to its voter
and resolve it (办结) with a result; the voter hears "联络站", never a deputy's
name, and is asked to rate the result as after a deputy's 办结.

The words go to the ticket's own voter alone: never to a deputy, and never to
voters whose reports were merged into it (a confidential ticket is never
merged; another deputy-less ticket with reports merged into it is refused
here and must be assigned to a deputy, who has "回复全部" for them). The
events and pushes are those of a deputy's move (lifecycle.py)."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from ...models import Role, Ticket, User
from .. import texts
from ..accounts import access
from ..accounts.errors import Forbidden
from ..outcome import Outcome
from ..station import Station
from . import duplicates
from .desk import Result, normalize
from .lifecycle import move, to_voter

log = logging.getLogger(__name__)

MOVES = ("accept", "reply", "resolve")
_VERBS = {"accept": "受理", "reply": "回复", "resolve": "办结"}


def held_by_station(ticket: Ticket) -> bool:
    """A ticket the staff answer themselves: confidential, or held by no deputy at all."""
    return bool(ticket.confidential) or (ticket.deputy_id is None and ticket.escalated_to_id is None)


def take(session: Session, user: User, ticket: Ticket, action: str, text: str, now: datetime,
         station: Station) -> Result:
    """Accept, reply to or resolve `ticket` for the station. Raises Forbidden
    unless `user` is an active admin or staff account, lifecycle.NotAllowed
    when the ticket's status does not allow the move; returns a Result that
    did not move (with the reason, in Chinese) for a missing text or a ticket
    that is not the station's to answer."""
    if user is None or not user.active or user.role not in (Role.ADMIN, Role.STAFF):
        raise Forbidden(texts.STATION_DESK_STAFF_ONLY)
    if action not in MOVES:
        raise ValueError(f"not a station desk move: {action}")
    session.refresh(ticket, with_for_update=True)  # two clerks at once see each other's move
    if not held_by_station(ticket):
        return Result(Outcome(texts.STATION_DESK_HAS_DEPUTY.format(number=ticket.number), ticket.id), False)
    if duplicates.count_linked(session, ticket):
        return Result(Outcome(texts.STATION_DESK_LINKED.format(number=ticket.number), ticket.id), False)
    text = normalize(text)
    if action != "accept" and not text:
        return Result(Outcome(texts.CONSOLE_NEEDS_TEXT.format(verb=_VERBS[action]), ticket.id), False)
    actor = access.actor(user)
    if action == "accept":
        event = move(session, ticket, "accept", actor, now, texts.STATION_NAME)
        ticket.accepted_at, ticket.needs_triage = now, False
        say = texts.VOTER_STATION_ACCEPTED.format(number=ticket.number)
    elif action == "reply":
        event = move(session, ticket, "reply", actor, now, text)
        say = texts.VOTER_STATION_REPLIED.format(number=ticket.number, text=text)
    else:
        event = move(session, ticket, "resolve", actor, now, text)
        ticket.resolved_at = now
        say = texts.VOTER_RESOLVED.format(number=ticket.number, result=text, days=station.reopen_days)
    log.info("ticket %s: %s by the station (%s)", ticket.number, action, actor)
    return Result(Outcome(ticket_id=ticket.id).add_pushes([to_voter(session, ticket, event, say, now)]), True)
