"""The audit log: who did what to which ticket, voter or account, and from
where. Append-only: there is no function to change or remove a row (an erase or
the retention period overwrites the details about a ticket, services/privacy/scrub.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ...models import AuditEvent

MAX_PER_PAGE = 500


def record(session: Session, *, actor: str, action: str, target: str = "", detail: str = "",
           address: str | None = None, now: datetime) -> AuditEvent:
    """Add one row (flushed). `detail` is for people to read: never a secret or a password."""
    event = AuditEvent(at=now, actor=(actor or "system")[:64], action=action[:64], target=(target or "")[:255],
                       detail=detail or "", address=address[:64] if address else None)
    session.add(event)
    session.flush()
    return event


def search(session: Session, *, actor: str | None = None, action: str | None = None, target: str | None = None,
           since: datetime | None = None, until: datetime | None = None, page: int = 1,
           per_page: int = 50) -> tuple[list[AuditEvent], int]:
    """One page of matching rows, newest first, and how many match in all.

    `action` matches exactly ("login.failed"), or, given without a dot, the
    whole family ("login": login.ok, login.failed, login.locked). `since` is
    inclusive, `until` exclusive."""
    where = []
    if actor:
        where.append(AuditEvent.actor == actor)
    if action:
        where.append(AuditEvent.action == action if "." in action
                     else or_(AuditEvent.action == action, AuditEvent.action.startswith(f"{action}.", autoescape=True)))
    if target:
        where.append(AuditEvent.target == target)
    if since is not None:
        where.append(AuditEvent.at >= since)
    if until is not None:
        where.append(AuditEvent.at < until)
    per_page = max(1, min(int(per_page), MAX_PER_PAGE))
    page = max(1, int(page))
    total = session.scalar(select(func.count(AuditEvent.id)).where(*where)) or 0
    rows = session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), int(total)
