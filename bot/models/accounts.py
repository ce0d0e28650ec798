"""Staff console accounts and the append-only audit log of who did what."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, SealedText, utcnow
from .roster import Deputy


class Role(StrEnum):
    """Stored as these strings; services/accounts/access.py says what each may see and do."""

    ADMIN = "admin"
    STAFF = "staff"
    COUNTY = "county"
    DEPUTY = "deputy"


ROLES = tuple(Role)


class User(Base):
    """A console login. A deputy's account is tied to their roster entry."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    # argon2id, in the PHC string format argon2-cffi writes.
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("deputies.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Consecutive wrong passwords; the account locks for a while after a few.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    deputy: Mapped[Deputy | None] = relationship()


class AuditEvent(Base):
    """One line of the audit log. Rows are only ever added, never changed (but for
    an erase or the retention period overwriting the details about a ticket)."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # A username, or "system" / "wechat".
    actor: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    # What it was done to: a ticket number, a username...
    target: Mapped[str] = mapped_column(default="")
    # Never secrets or passwords, nor replies or notes (their length only); sealed at rest,
    # since older versions copied them here.
    detail: Mapped[str] = mapped_column(SealedText, default="")
    # The client's IP address, when it came over HTTP.
    address: Mapped[str | None] = mapped_column(String(64))
