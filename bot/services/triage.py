"""The staff triage queue: tickets no deputy could take, or that the classifier
was unsure of. A staff correction is kept as a labelled training example."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import LabelledExample, Ticket
from ..nlp.routing import route
from .classify import categories
from .tickets import record


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


def corrections(session: Session) -> list[dict[str, str]]:
    """Every staff correction, as training examples (latest per ticket wins)."""
    latest: dict[object, dict[str, str]] = {}
    for ex in session.scalars(select(LabelledExample).order_by(LabelledExample.id)):
        latest[ex.ticket_id or f"x{ex.id}"] = {"text": ex.text, "label": ex.label}
    return list(latest.values())
