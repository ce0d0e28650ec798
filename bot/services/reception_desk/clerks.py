"""Who may use the reception desk (admin and staff) and the audit record of what they did."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ...models import Role, User
from ..accounts import access, audit

CLERKS = (Role.ADMIN, Role.STAFF)


def clerk(by: User) -> str:
    """The account's name; Forbidden (Chinese) unless it is an active admin or staff account."""
    access.require(by, *CLERKS)
    return by.username


def record(session: Session, actor: str, action: str, target: str, detail: str, address: str | None,
           now: datetime) -> None:
    audit.record(session, actor=actor, action=action, target=target[:255], detail=detail[:500], address=address,
                 now=now)
