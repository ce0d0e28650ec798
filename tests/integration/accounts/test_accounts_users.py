"""Console accounts against the database: creating them, logging in, the
lockout after five wrong passwords, and the audit rows each step leaves."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.models import AuditEvent, Deputy, User
from bot.services.accounts import AccountError, LoginRefused, audit
from bot.services.accounts import users as accounts

NOW = datetime(2026, 11, 26, 2, 30, tzinfo=timezone.utc)  # 10:30 in Beijing
PASSWORD = "correct horse battery"
IP = "203.0.113.9"


def _add(db, username="wang.li", role="staff", password=PASSWORD, **kw) -> User:
    user = accounts.create(db, username=username, password=password, role=role, now=NOW, **kw)
    db.commit()
    return user


def _login(db, username="wang.li", password=PASSWORD, now=NOW) -> User:
    try:
        return accounts.authenticate(db, username=username, password=password, address=IP, now=now)
    finally:
        db.commit()  # as the web layer does: a refusal's counter and audit rows stay


def _refusal(db, **kw) -> str:
    with pytest.raises(LoginRefused) as refused:
        _login(db, **kw)
    return refused.value.message


def _actions(db, target="wang.li") -> list[str]:
    return list(db.scalars(select(AuditEvent.action).where(AuditEvent.target == target).order_by(AuditEvent.id)))


def test_create_hashes_with_argon2id_and_audits(db):
    user = _add(db, by="admin")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert (user.role, user.active, user.failed_logins, user.deputy_id) == ("staff", True, 0, None)
    (event,) = db.scalars(select(AuditEvent).where(AuditEvent.action == "user.create")).all()
    assert (event.actor, event.target, event.at) == ("admin", "wang.li", NOW)
    assert PASSWORD not in event.detail


@pytest.mark.parametrize("kw, words", [
    ({"password": "short1234"}, "密码至少 10 个字符"),
    ({"role": "boss"}, "角色“boss”不存在"),
    ({"username": "王力"}, "用户名要 3 到 64 个字符"),
    ({"username": "ab"}, "用户名要 3 到 64 个字符"),
    ({"username": "a" * 65}, "用户名要 3 到 64 个字符"),
    ({"role": "deputy"}, "代表账号要写明名册里的代表编号"),
    ({"role": "deputy", "deputy_code": "NOPE"}, "名册里没有编号为 NOPE 的代表"),
])
def test_create_refuses_with_a_reason_staff_can_read(db, demo, kw, words):
    with pytest.raises(AccountError) as refused:
        accounts.create(db, **{"username": "wang.li", "password": PASSWORD, "role": "staff", **kw}, now=NOW)
    assert words in str(refused.value)
    assert db.scalar(select(User)) is None


def test_a_deputy_account_is_tied_to_the_roster_and_only_a_deputy_account(db, demo):
    deputy = db.scalar(select(Deputy).order_by(Deputy.id))
    user = _add(db, username="deputy1", role="deputy", deputy_code=deputy.code)
    assert user.deputy.id == deputy.id
    with pytest.raises(AccountError, match="只有代表账号"):
        accounts.create(db, username="clerk", password=PASSWORD, role="staff", deputy_code=deputy.code, now=NOW)
    (row,) = [r for r in accounts.listing(db) if r["username"] == "deputy1"]
    assert (row["deputy_code"], row["deputy_name"], row["role"]) == (deputy.code, deputy.name, "deputy")


def test_a_username_is_taken_whatever_its_case(db):
    _add(db)
    for name in ("wang.li", "Wang.Li"):
        with pytest.raises(AccountError, match="已经有人用了"):
            accounts.create(db, username=name, password=PASSWORD, role="admin", now=NOW)


def test_login_resets_the_counter_and_audits_with_the_address(db):
    _add(db)
    assert _refusal(db, password="wrong password!") == "用户名或密码不对"
    user = _login(db, username="WANG.LI")
    assert (user.failed_logins, user.last_login_at, user.locked_until) == (0, NOW, None)
    assert _actions(db) == ["user.create", "login.failed", "login.ok"]
    ok = db.scalar(select(AuditEvent).where(AuditEvent.action == "login.ok"))
    assert (ok.actor, ok.address) == ("wang.li", IP)


def test_unknown_user_disabled_user_and_wrong_password_read_the_same(db):
    _add(db)
    unknown = _refusal(db, username="nobody")
    wrong = _refusal(db, password="not the password")
    accounts.disable(db, "wang.li", by="admin", now=NOW)
    db.commit()
    disabled = _refusal(db)
    assert unknown == wrong == disabled == "用户名或密码不对"
    assert _actions(db, accounts.unknown_name("nobody")) == ["login.failed"]
    assert _actions(db) == ["user.create", "login.failed", "user.disable", "login.failed"]
    assert accounts.get(db, db.scalar(select(User.id))) is None  # a disabled user has no session either


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(db):
    _add(db)
    for i in range(4):
        assert _refusal(db, password=f"wrong password {i}", now=NOW + timedelta(seconds=i)) == "用户名或密码不对"
    locked = _refusal(db, password="wrong password 5", now=NOW + timedelta(seconds=10))
    assert locked == "账号已锁定，请在 10:45 以后再试"
    # During the lock even the right password is refused, and says until when.
    assert _refusal(db, now=NOW + timedelta(minutes=14)) == "账号已锁定，请在 10:45 以后再试"
    assert _actions(db).count("login.locked") == 1
    assert _actions(db) == ["user.create", *["login.failed"] * 5, "login.locked", "login.failed"]
    user = _login(db, now=NOW + timedelta(minutes=15, seconds=10))
    assert (user.failed_logins, user.locked_until) == (0, None)
    assert _actions(db)[-1] == "login.ok"


def test_after_a_lock_it_takes_five_more_to_lock_again(db):
    _add(db)
    for i in range(5):
        _refusal(db, password="wrong password", now=NOW)
    later = NOW + timedelta(minutes=16)
    assert _refusal(db, password="wrong password", now=later) == "用户名或密码不对"
    assert db.scalar(select(User)).failed_logins == 1


def test_a_new_password_works_and_lifts_the_lock(db):
    _add(db)
    for _ in range(5):
        _refusal(db, password="wrong password", now=NOW)
    with pytest.raises(AccountError, match="密码至少 10 个字符"):
        accounts.set_password(db, "wang.li", "short", by="admin", now=NOW)
    accounts.set_password(db, "wang.li", "another good one", by="admin", now=NOW + timedelta(minutes=1))
    db.commit()
    assert _refusal(db, now=NOW + timedelta(minutes=2)) == "用户名或密码不对"  # the old one is gone
    user = _login(db, password="another good one", now=NOW + timedelta(minutes=2))
    assert user.password_changed_at == NOW + timedelta(minutes=1)
    assert "user.password" in _actions(db)


def test_a_hash_with_old_parameters_is_upgraded_at_login(db):
    from argon2 import PasswordHasher

    user = _add(db)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    db.commit()
    old = user.password_hash
    assert _login(db).password_hash != old
    assert accounts.verify_password(db.scalar(select(User)).password_hash, PASSWORD)


def test_get_disable_and_listing(db):
    user = _add(db)
    assert accounts.get(db, str(user.id)) is user and accounts.get(db, "x") is None and accounts.get(db, 999) is None
    with pytest.raises(AccountError, match="没有用户名为 ghost 的账号"):
        accounts.disable(db, "ghost", by="admin", now=NOW)
    accounts.disable(db, "wang.li", by="admin", now=NOW)
    accounts.disable(db, "wang.li", by="admin", now=NOW)  # once is enough
    db.commit()
    assert _actions(db).count("user.disable") == 1
    (row,) = accounts.listing(db)
    assert set(row) == {"username", "role", "deputy_code", "deputy_name", "active", "locked_until",
                        "last_login_at", "created_at"}
    assert row["active"] is False and row["created_at"] == NOW


def test_audit_search_pages_newest_first(db):
    for i in range(7):
        audit.record(db, actor="wang.li" if i % 2 else "system", action="ticket.view" if i < 5 else "login.ok",
                     target=f"2026-00000{i}", now=NOW + timedelta(minutes=i))
    db.commit()
    rows, total = audit.search(db, per_page=3)
    assert total == 7 and [r.target for r in rows] == ["2026-000006", "2026-000005", "2026-000004"]
    rows, total = audit.search(db, page=3, per_page=3)
    assert total == 7 and [r.target for r in rows] == ["2026-000000"]
    assert audit.search(db, actor="wang.li")[1] == 3
    assert audit.search(db, action="login")[1] == 2 and audit.search(db, action="login.ok")[1] == 2
    assert audit.search(db, action="ticket.view", target="2026-000001")[1] == 1
    rows, total = audit.search(db, since=NOW + timedelta(minutes=2), until=NOW + timedelta(minutes=4))
    assert total == 2 and [r.target for r in rows] == ["2026-000003", "2026-000002"]
