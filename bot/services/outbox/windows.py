"""WeChat's customer-service window: free-form messages to a user are allowed
for 48 hours after that user's last message, and only a few per window;
outside it a template message must be used. We record when each user last
wrote, so the channel is chosen before sending rather than learnt from an error."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ...models import ContactWindow

WINDOW = timedelta(hours=48)


# What opens the window besides a message: following, scanning a code, menu clicks
# that push an event. Not template receipts, link menus or silent location reports.
_OPENING_EVENTS = frozenset({"subscribe", "scan", "click", "scancode_push", "scancode_waitmsg"})


def opens_window(msg_type: str, event: str | None) -> bool:
    return msg_type != "event" or (event or "") in _OPENING_EVENTS


def touch(session: Session, openid: str, now: datetime) -> None:
    """The user just wrote to us (or clicked, scanned, followed): a new window opens.
    One statement, whoever comes first: concurrent messages of one user may race here."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    new = insert(ContactWindow).values(openid=openid, last_inbound_at=now, sent_in_window=0)
    session.execute(new.on_conflict_do_update(
        index_elements=[ContactWindow.openid],
        set_={"last_inbound_at": new.excluded.last_inbound_at, "sent_in_window": 0},
        where=ContactWindow.last_inbound_at < new.excluded.last_inbound_at))


def channel(session: Session, openid: str, now: datetime, budget: int) -> str:
    """custom (window open, budget left), template (closed or spent), or auto
    (never heard from them: try custom, WeChat's 45015 sends it as a template)."""
    row = session.get(ContactWindow, openid)
    if row is None:
        return "auto"
    if now - row.last_inbound_at >= WINDOW or row.sent_in_window >= budget:
        return "template"
    return "custom"


def sent(session: Session, openid: str, used: str, now: datetime, budget: int) -> None:
    """Count a customer-service message against the window; a template sent
    because WeChat refused a custom message means the window is spent."""
    row = session.get(ContactWindow, openid)
    if row is None:
        return
    if used == "custom":
        row.sent_in_window += 1
    elif used == "template" and now - row.last_inbound_at < WINDOW:
        row.sent_in_window = max(row.sent_in_window, budget)
