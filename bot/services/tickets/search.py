"""Staff search over tickets' sealed text, through the blind index.

Ticket text is encrypted at rest, so SQL cannot look inside it. The index
(ticket_terms, written by the model's flush events) holds keyed hashes of each
text's characters and character pairs; a search asks SQL for the tickets that
hold every term of the query, then checks each candidate's decrypted text so
hash collisions never show. Tickets not indexed yet (written before sealing,
until `liaison db reseal`) are always candidates, so nothing is missed."""
from __future__ import annotations

from typing import Protocol, cast

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from ...fieldseal import normalise
from ...models import Ticket, TicketTerm
from ...models.base import cipher_of

MAX_QUERY = 100


class Terms(Protocol):
    def query_terms(self, needle: str) -> list[set[int]]: ...


def _candidates(cipher: Terms, needle: str) -> ColumnElement[bool]:
    """Ticket ids that may hold `needle`: every term under some key, or no index at all."""
    per_key = cipher.query_terms(needle)
    unindexed = ~exists().where(TicketTerm.ticket_id == Ticket.id)
    if not per_key:
        return unindexed
    # A ticket is indexed under one key only, so holding `n` distinct terms of the
    # union means holding them all under its key (a cross-key collision only adds a candidate).
    wanted = set().union(*per_key)
    n = min(len(terms) for terms in per_key)
    held = (select(TicketTerm.ticket_id).where(TicketTerm.term.in_(sorted(wanted)))
            .group_by(TicketTerm.ticket_id).having(func.count(func.distinct(TicketTerm.term)) >= n))
    return or_(Ticket.id.in_(held), unindexed)


def matching_ids(session: Session, needle: str, *conditions: ColumnElement[bool]) -> list[int]:
    """Ids of tickets meeting `conditions` whose number or text contains `needle`, newest first.
    The index keys are the ones the session's engine seals with."""
    cipher = cast(Terms, cipher_of(session.get_bind().dialect))
    needle = needle.strip()[:MAX_QUERY]
    wanted = normalise(needle)
    if not wanted:
        return []
    by_number = Ticket.number.contains(needle, autoescape=True)
    rows = session.execute(select(Ticket.id, Ticket.number, Ticket.text)
                           .where(and_(*conditions), or_(by_number, _candidates(cipher, needle)))
                           .order_by(Ticket.id.desc()))
    return [id_ for id_, number, text in rows if needle in number or wanted in normalise(text)]

