"""Who is using the console: logging in and out, the idle timeout, CSRF, the
request's database session, and the pages shown for errors."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import abort, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import HTTPException

from ..extensions import current
from ..services.accounts import Forbidden, LoginRefused, NotFound, access, users
from ..services.accounts.errors import ROLE_NAMES

# Endpoints open without logging in.
PUBLIC = {"console.login", "console.static", "console.font"}
IDLE_MESSAGE = "长时间没有操作，已自动退出，请重新登录。"
ERRORS = {400: ("请求无效", "页面已过期或表单不完整，请刷新页面后重试。"),
          403: ("没有权限", "您的账号不能查看这个页面。"),
          404: ("没有找到", "没有这个页面，或者您的账号无权查看。"),
          405: ("请求无效", "不支持这种操作。"),
          413: ("文件太大", "文件太大，超过了允许上传的大小。请拆分后分别上传。"),
          429: ("请稍后再试", "登录失败次数太多，请一分钟后再试。"),
          500: ("出错了", "系统出了点问题，请稍后再试，或联系管理员。")}


class ConsoleUser:
    """Flask-Login's view of a User row (the models know nothing of Flask)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, row: Any, sid: str) -> None:
        self.row = row
        self.sid = sid  # this login's id in Redis: logout and expiry end it there

    @property
    def is_active(self) -> bool:
        return bool(self.row.active)

    def get_id(self) -> str:
        # The password's date too: a new password ends every session of the old one.
        return f"{self.row.id}:{_stamp(self.row)}:{self.sid}"

    @property
    def username(self) -> str:
        return self.row.username

    @property
    def role(self) -> str:
        return self.row.role


def db() -> Any:
    """This request's session, closed when the request ends (see `before`)."""
    if "console_db" not in g:
        g.console_db = current().Session()
    return g.console_db


def close_db(_exc: BaseException | None = None) -> None:
    found = g.pop("console_db", None)
    if found is not None:
        found.close()


def user() -> Any:
    """The logged-in User row (None when nobody is)."""
    return current_user.row if current_user.is_authenticated else None


def _stamp(row: Any) -> int:
    changed = getattr(row, "password_changed_at", None)
    return int(changed.timestamp()) if changed is not None else 0


def load_user(user_id: str) -> ConsoleUser | None:
    ident, _, rest = (user_id or "").partition(":")
    stamp, _, sid = rest.partition(":")
    if not sid or not _login_alive(ident, sid):
        return None
    row = users.get(db(), ident)
    if row is None or str(_stamp(row)) != stamp:
        return None
    return ConsoleUser(row, sid)


# The cookie is only a signed token: a login is alive while its key is in Redis,
# so logging out ends it everywhere and no login outlives CONSOLE_SESSION_HOURS.
def _login_key(sid: str) -> str:
    return f"liaison:console:login:{sid}"


def _login_alive(ident: str, sid: str) -> bool:
    try:
        held = current().redis.get(_login_key(sid))
    except Exception:  # Redis down: fail closed
        return False
    return held is not None and held.decode() == ident


def _start_login(row: Any) -> str:
    import secrets

    sid = secrets.token_urlsafe(18)
    hours = current().settings["CONSOLE_SESSION_HOURS"]
    current().redis.set(_login_key(sid), str(row.id), ex=max(1, hours) * 3600)
    return sid


def _end_login() -> None:
    sid = getattr(current_user, "sid", None)
    if sid:
        try:
            current().redis.delete(_login_key(sid))
        except Exception:
            pass  # the cookie is cleared anyway; the key expires


def client_address() -> str:
    return request.remote_addr or "-"


def login_name() -> str:
    """The login limit's second key: the account being tried, whatever the address."""
    return "name:" + request.form.get("username", "").strip().lower()[:64]


def before() -> Any:
    # Every method: protect() lets the safe ones through itself, so a PUT or
    # DELETE route added later cannot skip the check.
    current().app.extensions["csrf"].protect()
    if request.endpoint in PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
    now = current().now().timestamp()
    seen = session.get("seen")
    idle = current().app.permanent_session_lifetime.total_seconds()
    if seen is None or now - float(seen) > idle:
        _end_login()
        logout_user()
        session.clear()
        session["notice"] = IDLE_MESSAGE
        return redirect(url_for("console.login"))
    session["seen"] = now
    return None


def login() -> Any:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("console.dashboard"))
    error, username = session.pop("notice", None), ""
    if request.method == "POST":
        ext = current()
        username = request.form.get("username", "")[:64]
        s = db()
        try:
            row = users.authenticate(s, username=username, password=request.form.get("password", ""),
                                     address=client_address(), now=ext.now(), secret=ext.settings["KEYRING"].key("account-probe"))
        except LoginRefused as exc:
            s.commit()  # the failure counter and its audit rows stay
            return render_template("console/login.html", error=str(exc), username=username), 401
        s.commit()
        target = _safe_next(request.args.get("next"))
        session.clear()  # no session fixation: a fresh session for the new login
        login_user(ConsoleUser(row, _start_login(row)))
        session.permanent = True
        session["seen"] = ext.now().timestamp()
        return redirect(target)
    return render_template("console/login.html", error=error, username=username)


def _safe_next(target: str | None) -> str:
    """Only a path inside the console: never another site."""
    if target and target.startswith("/console") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("console.dashboard")


def logout() -> Any:
    row = user()
    if row is not None:
        from ..services.accounts import audit

        s = db()
        audit.record(s, actor=row.username, action="logout", target=row.username, address=client_address(),
                     now=current().now())
        s.commit()
    _end_login()
    logout_user()
    session.clear()
    return redirect(url_for("console.login"))


def template_context() -> dict[str, Any]:
    row = user()
    return {"me": row, "role_name": ROLE_NAMES.get(row.role, row.role) if row is not None else "",
            "can_audit": row is not None and allowed(row, "admin"),
            "can_triage": row is not None and allowed(row, "admin", "staff")}


STAFF = ("admin", "staff")


def staff_only(*roles: str) -> Any:
    """The logged-in User row if the services allow it one of `roles` (admin or
    staff unless told), else a 403 page with the services' own Chinese words."""
    row = user()
    try:
        access.require(row, *(roles or STAFF))
    except Forbidden as exc:
        abort(403, description=str(exc))
    return row


def allowed(row: Any, *roles: str) -> bool:
    """The services' answer to "has this user one of these roles?", as a yes or no."""
    try:
        access.require(row, *roles)
    except Forbidden:
        return False
    return True


def error_page(exc: Any) -> Any:
    code = exc.code if isinstance(exc, HTTPException) and exc.code else 500
    title, text = ERRORS.get(code, ERRORS[500])
    if code in (403, 404) and exc.description and exc.description != type(exc).description:
        text = exc.description  # the services' own Chinese words
    return render_template("console/error.html", code=code, title=title, text=text), code


def ticket_or_404(number: str) -> Any:
    """The ticket the logged-in user may see, else a 404 that reads the same for
    "missing" and "not yours" (the latter is audited by the service, kept here)."""
    s = db()
    try:
        return access.ticket_for(s, user(), number, address=client_address(), now=current().now())
    except NotFound as exc:
        s.commit()  # keep the "ticket.denied" audit row
        abort(404, description=str(exc))
