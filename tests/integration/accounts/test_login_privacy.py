"""The login page tells nobody which user names exist, not even through the
lock message, and the audit log never keeps an unknown name as it was typed
(people type their password into the user name box)."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.models import AuditEvent
from bot.services.accounts import LoginRefused
from bot.services.accounts import users as accounts

NOW = datetime(2026, 11, 26, 2, 30, tzinfo=timezone.utc)  # 10:30 in Beijing
PASSWORD = "correct horse battery"
REFUSED = "用户名或密码不对"
SECRET = "the app's secret key"


def _refusal(db, username: str, password: str, now: datetime, secret: str | None = None) -> str:
    with pytest.raises(LoginRefused) as refused:
        try:
            accounts.authenticate(db, username=username, password=password, address="203.0.113.9", now=now,
                                  **({} if secret is None else {"secret": secret}))
        finally:
            db.commit()
    return refused.value.message


def _answers(db, username: str, password: str = "wrong password", start: datetime = NOW) -> list[str]:
    return [_refusal(db, username, password, start + timedelta(seconds=i)) for i in range(6)]


@pytest.fixture
def wang(db):
    accounts.create(db, username="wang.li", password=PASSWORD, role="staff", now=NOW)
    db.commit()


def test_six_failures_read_the_same_for_a_real_an_unknown_and_a_disabled_name(db, wang):
    accounts.create(db, username="zhao.min", password=PASSWORD, role="staff", now=NOW)
    accounts.disable(db, "zhao.min", by="admin", now=NOW)
    db.commit()
    real = _answers(db, "wang.li")
    unknown = _answers(db, "nobody.here")
    disabled = _answers(db, "zhao.min")
    locked = "账号已锁定，请在 10:45 以后再试"
    assert real == [REFUSED] * 4 + [locked] * 2
    assert unknown == disabled == real
    # During the lock the right password reads the same as any other...
    assert _refusal(db, "zhao.min", PASSWORD, NOW + timedelta(minutes=14)) == locked
    assert _refusal(db, "wang.li", PASSWORD, NOW + timedelta(minutes=14)) == locked
    assert _refusal(db, "Nobody.Here", PASSWORD, NOW + timedelta(minutes=14)) == locked
    # ...and after it the count starts again for all of them.
    later = NOW + timedelta(minutes=15, seconds=10)
    for name in ("wang.li", "nobody.here", "zhao.min"):
        assert _refusal(db, name, "wrong password", later) == REFUSED
    # Each lock is in the audit log once, as for a real account.
    locks = db.scalars(select(AuditEvent.actor).where(AuditEvent.action == "login.locked")).all()
    assert sorted(locks) == sorted(["wang.li", "zhao.min", accounts.unknown_name("nobody.here")])


def test_failures_of_an_unknown_name_older_than_fifteen_minutes_do_not_count(db):
    for i in range(4):
        assert _refusal(db, "nobody.here", "x", NOW + timedelta(seconds=i)) == REFUSED
    assert _refusal(db, "nobody.here", "x", NOW + timedelta(minutes=16)) == REFUSED


def test_an_unknown_name_is_never_stored_as_typed(db, wang):
    typed = "MySecretPassw0rd!"  # a password typed into the user name box
    _refusal(db, typed, "whatever", NOW)
    _refusal(db, typed.lower(), "whatever", NOW)
    _refusal(db, "someone.else", "whatever", NOW)
    rows = db.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
    for row in rows:
        assert typed.lower() not in f"{row.actor} {row.target} {row.detail}".lower()
        assert "someone.else" not in f"{row.actor} {row.target} {row.detail}"
        assert row.actor == row.target and row.actor.startswith("未知用户名 ")
    # The same name (whatever its case) reads the same, so repeated attempts show; another name differs.
    assert rows[0].actor == rows[1].actor != rows[2].actor
    digest = hashlib.sha256(typed.lower().encode()).hexdigest()[:8]
    assert rows[0].actor == f"未知用户名 {digest}"
    # A real name is still written as it is.
    _refusal(db, "wang.li", "wrong password", NOW)
    assert db.scalar(select(AuditEvent.actor).where(AuditEvent.target == "wang.li",
                                                    AuditEvent.action == "login.failed")) == "wang.li"


def test_with_the_app_secret_the_hash_is_keyed(db):
    _refusal(db, "MySecretPassw0rd!", "whatever", NOW, secret=SECRET)
    row = db.scalar(select(AuditEvent).where(AuditEvent.action == "login.failed"))
    keyed = hmac.new(SECRET.encode(), b"mysecretpassw0rd!", hashlib.sha256).hexdigest()[:8]
    assert row.actor == row.target == f"未知用户名 {keyed}" == accounts.unknown_name("mysecretpassw0rd!", SECRET)
    assert row.actor != accounts.unknown_name("mysecretpassw0rd!")
