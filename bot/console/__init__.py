"""The staff web console at /console/: server-rendered pages for station staff,
the county office and deputies. Roles are decided by services/accounts.

`register(app)` runs for every app (commands too), so it only adds routes and
settings: Flask-Login, Flask-WTF and Flask-Limiter (~70 ms of imports) are
set up by `_setup` on the app's first HTTP request, before Flask closes its
set-up methods. A command that never serves HTTP never imports them."""
from __future__ import annotations

import os
import threading
from datetime import timedelta
from typing import Any

from flask import Blueprint, Flask, request

from ..web import LazyView

HERE = os.path.dirname(os.path.abspath(__file__))
FONTS = os.path.join(os.path.dirname(HERE), "assets", "fonts")
# Failed logins from one address (a success redirects and costs nothing).
LOGIN_LIMIT = "10 per minute"

# No external origin anywhere; no inline script or style.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}

# The console's one routing table: (rule, endpoint, "module:view" under bot.console, methods).
# Views are imported on their first request (bot/web LazyView).
GET, POST = ("GET",), ("POST",)
ROUTES = [
    ("/", "dashboard", "pages:dashboard", GET),
    ("/tickets", "tickets", "pages:tickets", GET),
    ("/tickets/export.xlsx", "tickets_xlsx", "forms:ticket_list", GET),
    ("/tickets/<number>", "ticket", "pages:ticket", GET),
    ("/tickets/<number>/form.docx", "ticket_docx", "forms:ticket_form", GET),
    ("/tickets/<number>/suggestion", "ticket_formal", "duty_formal:act", POST),
    ("/tickets/<number>/<action>", "act", "desk:act", POST),
    ("/tickets/<number>/media/<media_id>", "media", "media:ticket_media", GET),
    ("/triage", "triage", "desk:triage_page", GET),
    ("/bindings", "bindings", "bindings:page", GET),
    ("/bindings/<action>", "bindings_decide", "bindings:decide", POST),
    ("/broadcasts", "broadcasts", "broadcasts:index", GET),
    ("/broadcasts/new", "broadcast_new", "broadcasts:new", GET + POST),
    ("/broadcasts/audience", "broadcast_audience", "broadcasts:audience", GET),
    ("/broadcasts/<int:broadcast_id>", "broadcast", "broadcasts:show", GET),
    ("/broadcasts/<int:broadcast_id>/edit", "broadcast_edit", "broadcasts:edit", GET + POST),
    ("/broadcasts/<int:broadcast_id>/progress", "broadcast_progress", "broadcasts:progress_fragment", GET),
    ("/broadcasts/<int:broadcast_id>/report", "broadcast_report", "broadcasts:report_page", GET),
    ("/broadcasts/<int:broadcast_id>/report.xlsx", "broadcast_xlsx", "broadcasts:download", GET),
    ("/broadcasts/<int:broadcast_id>/<action>", "broadcast_act", "broadcasts:act", POST),
    ("/audit", "audit", "pages:audit_page", GET),
    ("/simulator", "simulator", "simulator:page", GET),
    ("/simulator/send", "simulator_send", "simulator:send", POST),
    ("/simulator/feed", "simulator_feed", "simulator:feed", GET),
    ("/reception", "reception", "reception:month_page", GET),
    ("/reception/notices.pdf", "reception_notices", "reception:notices", GET),
    ("/reception/rules", "reception_rules", "reception:rules_page", GET),
    ("/reception/rules/<site>", "reception_rule_save", "reception:save_rule", POST),
    ("/reception/holidays", "reception_holidays", "reception:holidays_page", GET),
    ("/reception/holidays/add", "reception_holidays_add", "reception:holidays_save", POST),
    ("/reception/holidays/remove", "reception_holidays_remove", "reception:holidays_remove", POST),
    ("/reception/codes", "reception_codes", "reception:issue_codes", POST),
    ("/reception/<site>/<nominal>", "reception_day", "reception:day_page", GET),
    ("/reception/<site>/<nominal>/print", "reception_print", "reception:print_bookings", GET),
    ("/reception/<site>/<nominal>/notice.pdf", "reception_notice", "reception:notice_one", GET),
    ("/reception/<site>/<nominal>/<action>", "reception_act", "reception:act", POST),
    ("/roster", "roster", "roster:page", GET),
    ("/roster/template.xlsx", "roster_template", "roster:template", GET),
    ("/roster/export", "roster_export", "roster:export", POST),
    ("/roster/check", "roster_check", "roster:check", POST),
    ("/roster/confirm", "roster_confirm", "roster:confirm", POST),
    ("/roster/health", "roster_health", "roster_pages:health", GET),
    ("/roster/qr", "roster_qr", "roster_pages:qr_page", GET),
    ("/roster/qr/<any(site, group):kind>/<code>.<any(png, pdf):fmt>", "roster_poster", "roster_pages:poster", GET),
    ("/roster/qr/<any(site, group):kind>/<code>/issue", "roster_issue", "roster_pages:issue", POST),
    ("/roster/qr/<any(site, group):kind>/<code>/revoke", "roster_revoke", "roster_pages:revoke", POST),
    ("/roster/deputy/<code>/card", "roster_card", "roster_pages:card", POST),
    ("/roster/<any(deputy, group, voter):kind>/<code>", "roster_record", "roster_pages:record", GET),
    ("/duty/evaluation", "duty_evaluation", "duty_eval:page", GET),
    ("/duty/evaluation/summary.xlsx", "duty_summary", "duty_eval:summary", GET),
    ("/duty/evaluation/assess", "duty_assess", "duty_eval:assess", POST),
    ("/duty/evaluation/poll/<action>", "duty_poll", "duty_eval:poll_act", POST),
    ("/duty/evaluation/<code>.docx", "duty_sheet", "duty_eval:sheet", GET),
    ("/duty", "duty", "duty:station", GET),
    ("/duty/report.xlsx", "duty_xlsx", "duty:station_xlsx", GET),
    ("/duty/new", "duty_new", "duty:entry", GET + POST),
    ("/duty/<code>", "duty_deputy", "duty:deputy_page", GET),
    ("/logout", "logout", "auth:logout", POST),
]
# Endpoints that take an uploaded file: their body limit instead of the app's 64 KB,
# set before the CSRF check reads the form (the roster's: reading.MAX_BYTES and the form around it).
BODY_LIMITS = {"console.roster_check": 21 * 1024 * 1024}

# Not registered in live mode: there these URLs do not exist (404 before any login).
SANDBOX_ONLY = {"simulator", "simulator_send", "simulator_feed"}


def register(app: Flask) -> None:
    s = app.config
    sandbox = bool(s.get("SANDBOX"))
    idle = int(s.get("CONSOLE_IDLE_MINUTES") or 30)
    s.update(SESSION_COOKIE_NAME="liaison_console", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
             SESSION_COOKIE_SECURE=not sandbox, PERMANENT_SESSION_LIFETIME=timedelta(minutes=idle))
    # CSRF is checked by the console's own hook (auth.before), never app-wide: the
    # /wechat webhook is signed by WeChat and carries no token. The token lives as
    # long as the session.
    s.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    s.setdefault("WTF_CSRF_TIME_LIMIT", None)
    bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
                   static_folder="static", static_url_path="/static")
    for rule, endpoint, view, methods in ROUTES:
        if endpoint in SANDBOX_ONLY and not sandbox:
            continue
        bp.add_url_rule(rule, endpoint, LazyView(f"bot.console.{view}"), methods=list(methods))
    bp.add_url_rule("/login", "login", login, methods=["GET", "POST"])
    bp.add_url_rule("/font/wqy-microhei.ttf", "font", font)
    bp.before_request(_before)
    # App-wide: an unknown /console/ URL is answered by the app's 404 handler with the console's
    # error page, which loads the user (a session) outside the blueprint; it must close too.
    app.teardown_request(_teardown)
    bp.context_processor(_context)
    for code in (400, 403, 404, 405, 413, 429, 500):
        bp.register_error_handler(code, _error)
    app.register_blueprint(bp)
    app.after_request(_headers)
    # Unknown /console/... URLs match no blueprint route: the app's handler sends them to the console's page.
    app.register_error_handler(404, _app_not_found)
    _on_first_request(app)


def login() -> Any:
    """The login view; `_setup` wraps it in the per-address rate limit."""
    from .auth import login as view

    return view()


def font() -> Any:
    from flask import send_from_directory

    # A GB2312 subset of WenQuanYi Micro Hei: Chinese on PCs without a CJK font.
    return send_from_directory(FONTS, "WenQuanYiMicroHei-CJK.ttf", mimetype="font/ttf", max_age=30 * 86400)


def _before() -> Any:
    from .auth import before

    if request.endpoint in BODY_LIMITS:
        request.max_content_length = BODY_LIMITS[request.endpoint]

    return before()


def _teardown(_exc: BaseException | None) -> None:
    from .auth import close_db

    close_db()


def _context() -> dict[str, Any]:
    from .auth import template_context

    return template_context()


def _error(exc: Any) -> Any:
    from .auth import error_page

    return error_page(exc)


def _app_not_found(exc: Any) -> Any:
    if request.path == "/console" or request.path.startswith("/console/"):
        return _error(exc)
    return exc


def _headers(response: Any) -> Any:
    if request.path == "/console" or request.path.startswith("/console/"):
        for name, value in HEADERS.items():
            if name == "Cache-Control":
                # Forced, not defaulted: send_file sets "no-cache" (stored, then revalidated),
                # and the downloads (roster, ticket forms) carry personal data.
                if not request.path.startswith(("/console/static/", "/console/font/")):
                    response.headers[name] = value
                continue
            response.headers.setdefault(name, value)
    return response


def _on_first_request(app: Flask) -> None:
    """Set the console's extensions up when the first request arrives, while
    Flask still accepts set-up methods (it stops at its first dispatch)."""
    inner = app.wsgi_app
    lock = threading.Lock()
    done = False

    def wsgi(environ: Any, start_response: Any) -> Any:
        nonlocal done
        if not done:
            with lock:
                if not done:
                    _setup(app)
                    done = True
        return inner(environ, start_response)

    app.wsgi_app = wsgi  # type: ignore[method-assign]


def _setup(app: Flask) -> None:
    from flask_limiter import Limiter
    from flask_login import LoginManager
    from flask_wtf.csrf import CSRFProtect

    from . import auth

    from .labels import FILTERS

    app.jinja_env.filters.update(FILTERS)
    manager = LoginManager()
    manager.user_loader(auth.load_user)
    manager.init_app(app)
    CSRFProtect(app)
    limiter = Limiter(auth.client_address, app=app, storage_uri=_limits_uri(app.extensions["liaison"].redis_url),
                      key_prefix="liaison-console", strategy="fixed-window", swallow_errors=True)
    # Its hooks are app-wide; only console requests are looked at (never the webhook).
    limiter.request_filter(lambda: not request.path.startswith("/console/"))
    # Every POST counts as it arrives (counting only failures, after the
    # response, let a burst of parallel guesses through), per address and per
    # username, so guessing one account from many addresses is held back too.
    limited = limiter.limit(LOGIN_LIMIT, methods=["POST"], error_message="登录失败次数太多，请一分钟后再试")(login)
    app.view_functions["console.login"] = limiter.limit(
        LOGIN_LIMIT, methods=["POST"], key_func=auth.login_name,
        error_message="登录失败次数太多，请一分钟后再试")(limited)


def _limits_uri(redis_url: str) -> str:
    """The `limits` library spells unix-socket Redis URLs its own way."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://"):]
    return redis_url
