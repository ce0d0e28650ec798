"""A broadcast changed by staff while the sender moves it: each change is
decided on the row read afresh under its lock (FOR UPDATE on PostgreSQL;
SQLite ignores the lock, so these tests change the row behind the session's
back, as another transaction would, and check the state is read again), and
a compose form's one-use token makes one broadcast however often it is posted."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import update

from bot.models import Broadcast
from bot.services.broadcasts import broadcast as service
from bot.services.broadcasts import desk
from bot.services.broadcasts.broadcast import BroadcastError

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)
CLERK = SimpleNamespace(username="clerk", role="staff", active=True)
TOKEN = "a-one-use-token-0123456789"


class Tokens:
    """desk.Once in memory, as the console's Redis keys behave."""

    def __init__(self) -> None:
        self.held: dict[str, int | None] = {}

    def claim(self, token: str) -> bool:
        if token in self.held:
            return False
        self.held[token] = None
        return True

    def first(self, token: str) -> int | None:
        return self.held.get(token)

    def settle(self, token: str, broadcast_id: int) -> None:
        self.held[token] = broadcast_id

    def release(self, token: str) -> None:
        self.held.pop(token, None)


def scheduled(db, when: datetime) -> Broadcast:
    b = service.create(db, text="本周六停水。", targets={"kind": "deputies", "codes": []}, author="clerk", now=NOW)
    service.schedule(db, b, when, NOW)
    db.commit()
    return b


def behind_its_back(db, b: Broadcast, **values) -> None:
    """Another transaction (the sender) changes the row; this session still holds the old state."""
    db.execute(update(Broadcast).where(Broadcast.id == b.id).values(**values)
               .execution_options(synchronize_session=False))


def test_an_edit_saved_after_the_sender_started_is_refused_and_leaves_it_sending(db):
    b = scheduled(db, NOW + timedelta(hours=1))
    seen = desk.load(db, CLERK, b.id)  # the edit page and the POST's first look: editable
    assert desk.editable(seen)
    behind_its_back(db, b, status="sending", started_at=NOW)
    tokens = Tokens()
    draft = desk.Draft(text="改过的正文", kind="all")
    with pytest.raises(BroadcastError, match="发送中，不能再修改"):
        desk.compose(db, CLERK, draft, "draft", NOW, once=tokens, token=TOKEN, broadcast_id=b.id)
    again = db.get(Broadcast, b.id, populate_existing=True)
    assert (again.status, again.text, again.targets["kind"]) == ("sending", "本周六停水。", "deputies")
    assert tokens.held == {}, "nothing was made: the form's token is free again"


@pytest.mark.parametrize("action", ["pause", "cancel"])
def test_pause_or_cancel_after_the_sender_finished_is_refused_and_leaves_it_done(db, action):
    b = scheduled(db, NOW)
    db.get(Broadcast, b.id).status = "sending"
    db.commit()
    assert desk.load(db, CLERK, b.id).status == "sending"  # what the page showed
    behind_its_back(db, b, status="done", finished_at=NOW)
    with pytest.raises(BroadcastError, match="已发完"):
        desk.act(db, CLERK, b.id, action, NOW)
    assert db.get(Broadcast, b.id, populate_existing=True).status == "done"


def test_two_resumes_start_the_sender_once(db):
    b = scheduled(db, NOW)
    db.get(Broadcast, b.id).status, db.get(Broadcast, b.id).started_at = "paused", NOW
    db.commit()
    assert desk.load(db, CLERK, b.id).status == "paused"
    _, restart = desk.act(db, CLERK, b.id, "resume", NOW)
    db.commit()
    assert restart
    with pytest.raises(BroadcastError, match="发送中，不能继续"):
        desk.act(db, CLERK, b.id, "resume", NOW)


def test_the_sender_does_not_start_one_paused_since_it_was_read(db):
    b = scheduled(db, NOW)
    assert db.get(Broadcast, b.id).status == "scheduled"
    behind_its_back(db, b, status="paused", pause_reason="paused by staff")
    assert service.start(db, b.id, NOW) == "paused"
    db.commit()
    assert db.get(Broadcast, b.id).started_at is None


def test_a_compose_form_posted_twice_makes_one_broadcast(db):
    tokens = Tokens()
    draft = desk.Draft(text="本周六停水。", kind="deputies")
    first, due = desk.compose(db, CLERK, draft, "now", NOW, once=tokens, token=TOKEN)
    assert due
    with pytest.raises(desk.Submitted, match="这条群发已经提交过了") as again:
        desk.compose(db, CLERK, draft, "now", NOW, once=tokens, token=TOKEN)
    assert again.value.broadcast_id == first.id
    with pytest.raises(BroadcastError, match="表单已过期"):
        desk.compose(db, CLERK, draft, "now", NOW, once=tokens, token="")
    assert db.query(Broadcast).count() == 1
