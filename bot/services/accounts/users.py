"""Console accounts: creating them, logging in, disabling, new passwords.

Passwords are hashed with argon2id (argon2-cffi's defaults, RFC 9106). A
wrong user name, a disabled account and a wrong password are refused with the
same words, and an unknown name costs the same hashing time, so nobody learns
which names exist. Five wrong passwords in a row lock the account for fifteen
minutes; the counter moves in one UPDATE statement, so parallel requests
cannot slip past it (SQLite has no row locks). Unknown names and disabled
accounts are counted from the audit log and lock alike (five failures within
fifteen minutes), so the lock message tells nothing either. An unknown name is
never written to the audit log as typed (people type passwords there): it is
"未知用户名" and a short keyed hash, enough to see repeated attempts. A lock is
lifted by `liaison users password`. User names are unique regardless of case."""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, func, literal, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ...models import ROLES, AuditEvent, Deputy, Role, User
from ..calendar.local_time import BEIJING
from . import audit
from .errors import ROLE_NAMES, AccountError, LoginRefused

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_FAILURES = 5
LOCK_FOR = timedelta(minutes=15)
USERNAME = re.compile(r"[A-Za-z0-9_.\-]{3,64}")

REFUSED = "用户名或密码不对"
LOCKED = "账号已锁定，请在 {until} 以后再试"
UNKNOWN = "未知用户名"

_hasher = PasswordHasher()  # argon2id


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when the user name is unknown: the same work as a real check."""
    return _hasher.hash("not a password of anybody's")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"密码最多 {MAX_PASSWORD} 个字符")


def _utc(now: datetime) -> datetime:
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now


def _find(session: Session, username: str, *, lock: bool = False) -> User | None:
    stmt = select(User).where(func.lower(User.username) == (username or "").strip().lower())
    return session.scalar(stmt.with_for_update() if lock else stmt)


def _named(session: Session, username: str) -> User:
    user = _find(session, username)
    if user is None:
        raise AccountError(f"没有用户名为 {username} 的账号")
    return user


def create(session: Session, *, username: str, password: str, role: str, deputy_code: str | None = None,
           by: str = "cli", now: datetime) -> User:
    """A new active account (flushed, audited "user.create"); raises AccountError."""
    username = (username or "").strip()
    if not USERNAME.fullmatch(username):
        raise AccountError("用户名要 3 到 64 个字符，只能用英文字母、数字和 _ . -")
    if role not in ROLES:
        raise AccountError(f"角色“{role}”不存在，只能是：{'、'.join(f'{r}（{ROLE_NAMES[r]}）' for r in ROLES)}")
    _check_password(password)
    deputy_code = (deputy_code or "").strip() or None
    deputy = None
    if role == Role.DEPUTY:
        if deputy_code is None:
            raise AccountError("代表账号要写明名册里的代表编号（--deputy）")
        deputy = session.scalar(select(Deputy).where(Deputy.code == deputy_code))
        if deputy is None:
            raise AccountError(f"名册里没有编号为 {deputy_code} 的代表")
    elif deputy_code is not None:
        raise AccountError("只有代表账号可以关联代表编号")
    if _find(session, username) is not None:
        raise AccountError(f"用户名 {username} 已经有人用了")
    now = _utc(now)
    user = User(username=username, password_hash=hash_password(password), role=str(role),
                deputy_id=deputy.id if deputy else None, active=True, failed_logins=0, created_at=now,
                password_changed_at=now)
    session.add(user)
    session.flush()
    detail = f"角色：{ROLE_NAMES[role]}" + (f"，代表：{deputy.code} {deputy.name}" if deputy else "")
    audit.record(session, actor=by, action="user.create", target=username, detail=detail, now=now)
    return user


def authenticate(session: Session, *, username: str, password: str, address: str | None,
                 now: datetime, secret: str | bytes | None = None) -> User:
    """The user these credentials belong to (counter reset, last login set,
    audited "login.ok"); otherwise raises LoginRefused, audited "login.failed"
    (and "login.locked" when this failure locks the account). The caller
    commits after a refusal too: the failure counter and the audit rows must stay.

    `secret` (the app's SECRET_KEY) keys the hash that stands for an unknown
    name in the audit log; without it the hash is a plain SHA-256."""
    now = _utc(now)
    name = (username or "").strip()[:64]
    user = _find(session, name, lock=True) if name else None
    if user is None:
        verify_password(_dummy_hash(), password or "")
        _refuse_without_account(session, unknown_name(name, secret), "用户不存在", address, now)
    right = verify_password(user.password_hash, password or "")
    if not user.active:
        _refuse_without_account(session, user.username, "账号已停用", address, now)
    if user.locked_until is not None and now < user.locked_until:
        _refuse_locked(session, user.username, user.locked_until, address, now)
    if not right:
        _count_failure(session, user, address, now)
    values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if _hasher.check_needs_rehash(user.password_hash):
        values["password_hash"] = hash_password(password)
    # Only if no parallel request locked the account since it was read above.
    done = session.execute(update(User).where(User.id == user.id, _open(now)).values(**values)
                           .returning(User.id).execution_options(synchronize_session=False)).first()
    if done is None:
        _refuse_locked(session, user.username, _current_lock(session, user), address, now)
    for key, value in values.items():
        set_committed_value(user, key, value)
    audit.record(session, actor=user.username, action="login.ok", target=user.username, address=address, now=now)
    return user


def unknown_name(name: str, secret: str | bytes | None = None) -> str:
    """What the audit log says for a user name nobody has: never the name itself,
    but the same words for the same name (whatever its case)."""
    data = (name or "").strip().lower().encode()
    if secret:
        key = secret.encode() if isinstance(secret, str) else secret
        digest = hmac.new(key, data, hashlib.sha256).hexdigest()
    else:
        digest = hashlib.sha256(data).hexdigest()
    return f"{UNKNOWN} {digest[:8]}"


def _open(now: datetime) -> Any:
    """Not locked at `now` (SQL)."""
    return or_(User.locked_until.is_(None), User.locked_until <= now)


def _current_lock(session: Session, user: User) -> datetime:
    until = session.scalar(select(User.locked_until).where(User.id == user.id))
    set_committed_value(user, "locked_until", until)
    return until


def _count_failure(session: Session, user: User, address: str | None, now: datetime) -> None:
    """One more wrong password: counted, and the lock set on the fifth, in one
    statement, so two racing requests can neither both read the same count nor
    both "not lock". Always raises LoginRefused."""
    streak = User.failed_logins + 1
    locks = streak >= MAX_FAILURES
    until = now + LOCK_FOR
    row = session.execute(
        update(User).where(User.id == user.id, _open(now))
        .values(failed_logins=case((locks, 0), else_=streak),
                locked_until=case((locks, literal(until, User.locked_until.type)), else_=User.locked_until))
        .returning(User.failed_logins, User.locked_until)
        .execution_options(synchronize_session=False)).first()
    if row is None:  # a parallel request locked it after it was read
        _refuse_locked(session, user.username, _current_lock(session, user), address, now)
    count, locked_until = row
    set_committed_value(user, "failed_logins", count)
    set_committed_value(user, "locked_until", locked_until)
    if locked_until is not None and locked_until > now:
        _failed(session, user.username, f"密码不对（连续第 {MAX_FAILURES} 次）", address, now)
        _lock_audit(session, user.username, locked_until, address, now)
        raise LoginRefused(_locked(locked_until))
    _failed(session, user.username, f"密码不对（连续第 {count} 次）", address, now)
    raise LoginRefused(REFUSED)


def _refuse_locked(session: Session, name: str, until: datetime, address: str | None, now: datetime) -> None:
    _failed(session, name, "账号锁定期间尝试登录", address, now)
    raise LoginRefused(_locked(until))


def _refuse_without_account(session: Session, name: str, why: str, address: str | None, now: datetime) -> None:
    """An unknown name or a disabled account: refused exactly as a real account
    would be, the failures counted from the audit log, so that after five
    tries it reads "locked" too. Always raises LoginRefused."""
    failures = (AuditEvent.actor == name, AuditEvent.target == name)
    locked_at = session.scalar(select(func.max(AuditEvent.at)).where(*failures,
                                                                       AuditEvent.action == "login.locked"))
    if locked_at is not None and now < locked_at + LOCK_FOR:
        _refuse_locked(session, name, locked_at + LOCK_FOR, address, now)
    since = now - LOCK_FOR if locked_at is None else max(now - LOCK_FOR, locked_at + LOCK_FOR)
    count = session.scalar(select(func.count(AuditEvent.id)).where(
        *failures, AuditEvent.action == "login.failed", AuditEvent.at >= since)) or 0
    if count + 1 >= MAX_FAILURES:
        _failed(session, name, f"{why}（连续第 {MAX_FAILURES} 次）", address, now)
        _lock_audit(session, name, now + LOCK_FOR, address, now)
        raise LoginRefused(_locked(now + LOCK_FOR))
    _failed(session, name, why, address, now)
    raise LoginRefused(REFUSED)


def _lock_audit(session: Session, name: str, until: datetime, address: str | None, now: datetime) -> None:
    audit.record(session, actor=name, action="login.locked", target=name,
                 detail=f"连续 {MAX_FAILURES} 次密码不对，锁定到 {_clock(until)}", address=address, now=now)


def _failed(session: Session, name: str, why: str, address: str | None, now: datetime) -> None:
    audit.record(session, actor=name or "-", action="login.failed", target=name, detail=why, address=address,
                 now=now)


def _clock(when: datetime) -> str:
    return when.astimezone(BEIJING).strftime("%H:%M")


def _locked(until: datetime) -> str:
    return LOCKED.format(until=_clock(until))


def get(session: Session, user_id: Any) -> User | None:
    """The active user with this id (Flask-Login passes it as a string); None otherwise."""
    try:
        user = session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


def disable(session: Session, username: str, *, by: str, now: datetime) -> User:
    """The account can no longer log in (audited "user.disable"). Already disabled: nothing changes."""
    user = _named(session, username)
    if user.active:
        user.active = False
        session.flush()
        audit.record(session, actor=by, action="user.disable", target=user.username, now=_utc(now))
    return user


def set_password(session: Session, username: str, password: str, *, by: str, now: datetime) -> User:
    """A new password; also lifts a lock (audited "user.password", the password never written)."""
    _check_password(password)
    user = _named(session, username)
    now = _utc(now)
    user.password_hash = hash_password(password)
    user.password_changed_at, user.failed_logins, user.locked_until = now, 0, None
    session.flush()
    audit.record(session, actor=by, action="user.password", target=user.username, detail="设置了新密码", now=now)
    return user


def listing(session: Session) -> list[dict[str, Any]]:
    """Every account, for staff: never the password hash."""
    rows = session.scalars(select(User).order_by(User.username)).all()
    return [{"username": u.username, "role": u.role, "deputy_code": u.deputy.code if u.deputy else None,
             "deputy_name": u.deputy.name if u.deputy else None, "active": u.active, "locked_until": u.locked_until,
             "last_login_at": u.last_login_at, "created_at": u.created_at} for u in rows]
