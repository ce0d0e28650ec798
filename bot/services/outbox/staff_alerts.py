"""Pushes to the station staff about confidential tickets: the voter masked
(services/roster/voters.py `masked`), never a deputy among the recipients."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from ...models import OutboundPush, Ticket
from .. import texts
from ..roster.voters import masked
from .notify import queue

log = logging.getLogger(__name__)


def reasons_text(codes: str, named: str | None) -> str:
    """The reasons a ticket is confidential, in Chinese, from its comma-separated codes."""
    parts = [texts.CONFIDENTIAL_REASONS[c].format(name=named or "") for c in codes.split(",")
             if c in texts.CONFIDENTIAL_REASONS]
    return "；".join(parts) or texts.CONFIDENTIAL_REASONS["anonymity"]


def confidential_to_staff(session: Session, ticket: Ticket, staff_openids: tuple[str, ...], *, named: str | None,
                          mask_village: bool, event_id: int, now: datetime,
                          withdrawn_from: str | None = None, said: str | None = None) -> list[OutboundPush]:
    """Tell every staff member about a confidential ticket: a new one, or one
    taken back at the voter's request (`withdrawn_from`: from whom, in Chinese);
    `said`: what the voter has just added (a follow-up, a rating's comment)."""
    who = masked(ticket.voter, mask_village)
    if withdrawn_from is not None and (ticket.confidential_reason or "anonymity") != "anonymity":
        text = texts.STAFF_TAKEN_BACK.format(number=ticket.number, category=ticket.category, who=who,
                                             source=withdrawn_from, text=ticket.text,
                                             reasons=reasons_text(ticket.confidential_reason, named))
    elif withdrawn_from is not None:
        text = texts.STAFF_WITHDRAWN.format(number=ticket.number, category=ticket.category, who=who,
                                            source=withdrawn_from, text=ticket.text)
    else:
        text = texts.STAFF_CONFIDENTIAL.format(number=ticket.number, category=ticket.category, who=who,
                                               text=ticket.text,
                                               reasons=reasons_text(ticket.confidential_reason, named))
    if said:
        text += texts.STAFF_CONFIDENTIAL_SAID.format(text=said)
    if ticket.urgent:
        text = texts.URGENT_PREFIX + text
    if not staff_openids:
        log.error("confidential ticket %s: no staff WeChat configured (LIAISON_STAFF_OPENIDS); "
                  "it waits in the console's triage queue", ticket.number)
    pushes = [queue(session, key=f"ticket:{ticket.id}:confidential:{event_id}:{openid}", openid=openid,
                    kind="confidential_alert", text=text, title=texts.STAFF_CONFIDENTIAL_TITLE,
                    fields=(("keyword1", ticket.number), ("keyword2", ticket.category),
                            ("keyword3", texts.STAFF_CONFIDENTIAL_TITLE)),
                    ticket_id=ticket.id, now=now)
              for openid in dict.fromkeys(staff_openids)]
    return [p for p in pushes if p is not None]
