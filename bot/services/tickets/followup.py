"""A voter adding to, or chasing, their open opinion, and whether a message
adds to a matter already reported at all."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import OPEN_STATUSES, Deputy, OutboundPush, Ticket, TicketStatus, Voter
from .. import texts
from ..outbox import notify
from ..outcome import Outcome
from .classify import OTHER, Classification, matters, refers_back
from .records import record

RECENT = 10  # open tickets a follow-up is matched against, newest first


def latest_open(session: Session, voter: Voter) -> Ticket | None:
    """The voter's open ticket; for a report merged into another voter's, that one."""
    ticket = session.scalar(select(Ticket).where(Ticket.voter_id == voter.id,
                                                 Ticket.status.in_(OPEN_STATUSES + (TicketStatus.MERGED,)))
                            .order_by(Ticket.id.desc()).limit(1))
    if ticket is not None and ticket.status == TicketStatus.MERGED:
        primary = session.get(Ticket, ticket.duplicate_of_id) if ticket.duplicate_of_id else None
        return primary if primary is not None and primary.status in OPEN_STATUSES else None
    return ticket


def matching_open(session: Session, voter: Voter, text: str, found: Classification) -> Ticket | None:
    """The newest open ticket of the voter (or the one theirs was merged into)
    that `text` adds to: "上次说的路灯还没修" chases the street-light ticket even
    when a water outage was reported since. None when it is about none of them."""
    own = session.scalars(select(Ticket).where(Ticket.voter_id == voter.id,
                                               Ticket.status.in_(OPEN_STATUSES + (TicketStatus.MERGED,)))
                          .order_by(Ticket.id.desc()).limit(RECENT))
    for ticket in own:
        if ticket.status == TicketStatus.MERGED:
            ticket = session.get(Ticket, ticket.duplicate_of_id) if ticket.duplicate_of_id else None
            if ticket is None or ticket.status not in OPEN_STATUSES:
                continue
        if same_matter(ticket, text, found):
            return ticket
    return None


def same_matter(ticket: Ticket, text: str, found: Classification) -> bool:
    """Whether a message adds to the matter of `ticket` rather than starting another.

    1. It names the same thing again ("家里做饭都没水用" after "自来水停了"): yes,
       whatever class the model gives the new words.
    2. A confident class other than the ticket's is another matter ("村口那段路
       坑坑洼洼的" after a water outage), even after "补充" or "还有".
    3. Words that name no matter (a place, since when, how bad, "村干部也不管")
       have nothing to disagree with: yes.
    4. Both name matters and none is shared: another matter, unless the message
       says of itself that it adds to the last one ("补充一下，是电压不够抽不上来"
       after a water outage).
       "还有"/"另外" do not say so: they introduce another item, so "路灯坏了"
       then "还有，垃圾也没人清运" are two matters and two tickets, although
       both are 城乡建设.
    """
    earlier = matters(" ".join(told(ticket)))
    named = matters(text)
    if named & earlier:
        return True
    if not found.needs_triage and found.category != OTHER and found.category != ticket.category:
        return False
    if not named or not earlier:
        return True
    return refers_back(text)


def told(ticket: Ticket) -> list[str]:
    """What voters have said of the ticket: its text and their additions."""
    return [ticket.text] + [e.note for e in ticket.events if e.kind == "followup" and e.actor.startswith("voter:")]


def holders(ticket: Ticket) -> list[Deputy]:
    """The deputies who hold a ticket now: the assigned one and, once escalated, the upper one."""
    people = [d for d in (ticket.deputy, ticket.escalated_to) if d is not None]
    return [d for d in dict.fromkeys(people) if d.reachable]


def tell_holders(session: Session, ticket: Ticket, kind: str, event_id: int, text: str,
                 now: datetime) -> list[OutboundPush]:
    pushes = [notify.queue(session, key=f"ticket:{ticket.id}:{kind}:{event_id}:{d.openid}", openid=d.openid,
                           kind=f"ticket_{kind}", text=text, title=texts.DEPUTY_NEW_TICKET_TITLE,
                           ticket_id=ticket.id, now=now) for d in holders(ticket)]
    return [p for p in pushes if p is not None]


def add(session: Session, ticket: Ticket, text: str, now: datetime, by: Voter | None = None) -> Outcome:
    """Add the voter's words to the ticket (their own, or the one theirs was merged into)."""
    event = record(session, ticket, "followup", f"voter:{by.id if by else ticket.voter_id}", now, text)
    session.flush()
    pushes = tell_holders(session, ticket, "followup", event.id,
                          texts.DEPUTY_FOLLOWUP.format(number=ticket.number, text=text), now)
    people = holders(ticket)
    if people:
        reply = texts.FOLLOWUP_ADDED.format(number=ticket.number, deputy=people[-1].name)
    else:
        reply = texts.FOLLOWUP_ADDED_TRIAGE.format(number=ticket.number)
    return Outcome(reply, ticket.id).add_pushes(pushes)
