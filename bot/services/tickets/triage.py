"""The staff triage queue: tickets no deputy could take, or that the classifier
was unsure of. A staff correction is kept as a labelled training example."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Deputy, LabelledExample, OutboundPush, Ticket
from ...nlp.routing import route
from .. import texts
from ..outbox import notify
from . import confidential
from .classify import categories
from .lifecycle import WAITING
from .records import record


class TriageError(ValueError):
    """A correction that cannot be applied; the message is for staff (Chinese)."""


def waiting(session: Session, limit: int = 200) -> list[Ticket]:
    return list(session.scalars(select(Ticket).where(Ticket.needs_triage.is_(True))
                                .order_by(Ticket.id).limit(limit)))


def correct(session: Session, ticket: Ticket, category: str, by: str, now: datetime) -> LabelledExample:
    if category not in categories():
        raise TriageError(f"“{category}”不是分类之一：{'、'.join(categories())}")
    if not by.strip():
        raise TriageError("请写明是谁做的更正")
    example = LabelledExample(text=ticket.text, label=category, predicted=ticket.category, ticket_id=ticket.id,
                              created_by=by.strip()[:100], created_at=now)
    session.add(example)
    record(session, ticket, "recategorised", f"staff:{by.strip()[:100]}", now, f"{ticket.category} → {category}")
    ticket.category = category
    ticket.confidence = 1.0
    where = route(category, ticket.text)  # the right category has its own office
    ticket.office, ticket.level = where.office, where.level
    ticket.updated_at = now
    if ticket.deputy_id is not None:  # unassigned tickets stay queued until staff assign them
        ticket.needs_triage = False
    session.flush()
    return example


def assign(session: Session, ticket: Ticket, deputy_code: str, by: str, now: datetime, *,
           reassign: bool = False) -> OutboundPush | None:
    """Staff: give a ticket waiting in the triage queue (new or reopened, no
    deputy) to a reachable township deputy, who gets the usual new-ticket push.
    With `reassign` (the console), a new or reopened ticket its deputy has not
    accepted yet may also go to another deputy, who then alone sees it.
    Raises TriageError with a message for staff."""
    by = by.strip()[:100]
    if not by:
        raise TriageError(texts.ASSIGN_NEEDS_BY)
    deputy = session.scalar(select(Deputy).where(Deputy.code == deputy_code.strip()))
    if deputy is None:
        raise TriageError(texts.ASSIGN_NOT_FOUND.format(code=deputy_code))
    if not deputy.reachable:
        raise TriageError(texts.ASSIGN_NOT_REACHABLE.format(deputy=deputy.name))
    if "township" not in {m.level for m in deputy.mandates}:
        raise TriageError(texts.ASSIGN_NOT_TOWNSHIP.format(deputy=deputy.name))
    session.refresh(ticket, with_for_update=True)
    if ticket.confidential:  # the staff's alone: giving it to a deputy would undo that
        raise TriageError(texts.ASSIGN_CONFIDENTIAL.format(number=ticket.number))
    queued = ticket.needs_triage and ticket.deputy_id is None
    if ticket.status not in WAITING or not (queued or (reassign and ticket.deputy_id is not None)):
        raise TriageError(texts.ASSIGN_NOT_IN_TRIAGE.format(
            number=ticket.number, status=texts.STATUS_NAMES.get(ticket.status, ticket.status)))
    if confidential.naming(ticket, [deputy]):  # a complaint about them never goes to them
        raise TriageError(texts.ASSIGN_NAMES_DEPUTY.format(number=ticket.number, deputy=deputy.name))
    if ticket.deputy_id == deputy.id:
        raise TriageError(texts.ASSIGN_SAME_DEPUTY.format(number=ticket.number, deputy=deputy.name))
    before = ticket.deputy
    if ticket.voter.openid and ticket.voter.openid == deputy.openid:
        raise TriageError(texts.ASSIGN_OWN_TICKET.format(number=ticket.number, deputy=deputy.name))
    ticket.deputy_id, ticket.needs_triage, ticket.updated_at = deputy.id, False, now
    session.flush()
    session.refresh(ticket, ["deputy"])
    note = f"{deputy.code} {deputy.name}" + (f"（原为 {before.name}）" if before is not None else "")
    event = record(session, ticket, "assigned", f"staff:{by}", now, note)
    session.flush()
    return notify.ticket_assigned(session, ticket, now, event_id=event.id)


def corrections(session: Session) -> list[dict[str, str]]:
    """Every staff correction, as training examples (latest per ticket wins); not those
    of anonymised tickets, whose text is now a marker (services/privacy/scrub.py)."""
    latest: dict[object, dict[str, str]] = {}
    for ex in session.scalars(select(LabelledExample).outerjoin(Ticket, Ticket.id == LabelledExample.ticket_id)
                              .where(Ticket.anonymised_at.is_(None)).order_by(LabelledExample.id)):
        latest[ex.ticket_id or f"x{ex.id}"] = {"text": ex.text, "label": ex.label}
    return list(latest.values())
