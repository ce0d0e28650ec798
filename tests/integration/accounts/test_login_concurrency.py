"""The lockout holds against parallel requests: the failure counter moves in
one UPDATE statement, so requests racing each other (gunicorn threads on the
one-machine SQLite install, or several workers on PostgreSQL) cannot all read
the same count, and a lock set by one is not undone by another."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.models import AuditEvent, User
from bot.services.accounts import LoginRefused
from bot.services.accounts import users as accounts

NOW = datetime(2026, 11, 26, 2, 30, tzinfo=timezone.utc)  # 10:30 in Beijing
PASSWORD = "correct horse battery"
LOCKED = "账号已锁定，请在 10:45 以后再试"
THREADS = 15


def _add(ext) -> None:
    with ext.Session() as s:
        accounts.create(s, username="wang.li", password=PASSWORD, role="staff", now=NOW)
        s.commit()


def _attempt(ext, password: str, now: datetime = NOW) -> str:
    """One login as the web view does it: its own session, committed after a refusal too."""
    with ext.Session() as s:
        try:
            accounts.authenticate(s, username="wang.li", password=password, address="203.0.113.9", now=now)
        except LoginRefused as exc:
            s.commit()
            return exc.message
        s.commit()
        return "ok"


def _count(ext, action: str) -> int:
    with ext.Session() as s:
        return s.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == action,
                                                                AuditEvent.target == "wang.li"))


def test_parallel_wrong_passwords_lock_the_account(ext):
    _add(ext)
    start = threading.Barrier(THREADS)
    answers: list[str] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait()
            answers.append(_attempt(ext, f"wrong password {i}"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert len(answers) == THREADS
    # Four are counted as ordinary failures, the fifth locks, the rest find it locked.
    assert sorted(answers) == sorted(["用户名或密码不对"] * (accounts.MAX_FAILURES - 1)
                                     + [LOCKED] * (THREADS - accounts.MAX_FAILURES + 1))
    with ext.Session() as s:
        user = s.scalar(select(User))
        assert user.locked_until == NOW + accounts.LOCK_FOR and user.failed_logins == 0
    assert _count(ext, "login.failed") == THREADS
    assert _count(ext, "login.locked") == 1
    # The right password is refused while the lock lasts, and works after it.
    assert _attempt(ext, PASSWORD, NOW + timedelta(minutes=1)) == LOCKED
    assert _attempt(ext, PASSWORD, NOW + timedelta(minutes=15, seconds=1)) == "ok"


@pytest.mark.parametrize("password", [PASSWORD, "wrong password"])
def test_a_lock_set_by_a_racing_request_is_not_undone(ext, password):
    """A request that read the account before a parallel one locked it is refused
    as locked, whether its password is right or wrong, and leaves the lock alone."""
    _add(ext)
    with ext.Session() as stale:
        user = stale.scalar(select(User))  # read before the lock: its locked_until is None
        assert user.locked_until is None
        for i in range(accounts.MAX_FAILURES):
            _attempt(ext, f"wrong password {i}")
        with pytest.raises(LoginRefused) as refused:
            accounts.authenticate(stale, username="wang.li", password=password, address=None,
                                  now=NOW + timedelta(minutes=1))
        stale.commit()
    assert refused.value.message == LOCKED
    with ext.Session() as s:
        user = s.scalar(select(User))
        assert (user.locked_until, user.failed_logins, user.last_login_at) == (NOW + accounts.LOCK_FOR, 0, None)
    assert _count(ext, "login.locked") == 1 and _count(ext, "login.ok") == 0
