"""The deputies' phone pages at /m/: opened from the official account's menu
inside WeChat, no staff login. WeChat web authorisation (snsapi_base) says
which WeChat account holds the phone; it must be a bound, active deputy
(services/tickets/mine.py). They see their tickets and act on them through the
same service call as their WeChat commands (services/tickets/desk.py take).

An entry point beside bot/web and bot/console, with its own signed cookie
(session.py), its own CSRF token on every form, and the console's security
headers. Views are imported on their first request."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, request

# The console's security headers (nothing from another origin, no inline script or style) and its CJK font.
from ..console import FONTS, HEADERS
from ..web import LazyView

# (rule, endpoint, "module:view" under bot.mobile, methods)
GET, POST = ("GET",), ("POST",)
ROUTES = [
    ("/", "home", "views:home", GET),
    ("/auth", "auth", "views:auth", GET),
    ("/t/<number>", "ticket", "views:ticket", GET),
    ("/t/<number>", "act", "views:act", POST),
    ("/t/<number>/media/<media_id>", "media", "views:media", GET),
    ("/evaluation", "evaluation", "evaluation:page", GET),
    ("/evaluation", "evaluation_save", "evaluation:save", POST),
    # WeChat's authorise page, simulated: sandbox mode and this machine only (sandbox.py).
    ("/sandbox/connect/oauth2/authorize", "sandbox_authorize", "sandbox:authorize", ("GET", "POST")),
    ("/<path:rest>", "missing", "views:missing", ("GET", "POST")),
]
# Served without a deputy signed in.
OPEN = {"mobile.auth", "mobile.sandbox_authorize", "mobile.static", "mobile.font", "mobile.missing"}


def register(app: Flask) -> None:
    bp = Blueprint("mobile", __name__, url_prefix="/m", template_folder="templates", static_folder="static",
                   static_url_path="/static")
    for rule, endpoint, view, methods in ROUTES:
        bp.add_url_rule(rule, endpoint, LazyView(f"bot.mobile.{view}"), methods=list(methods))
    bp.add_url_rule("/font/wqy-microhei.ttf", "font", font)
    bp.before_request(_before)
    bp.after_request(_after)
    bp.teardown_request(_teardown)
    bp.context_processor(_context)
    for code in (400, 403, 404, 405, 500, 502):
        bp.register_error_handler(code, _error)
    app.register_blueprint(bp)


def font() -> Any:
    from flask import send_from_directory

    return send_from_directory(FONTS, "WenQuanYiMicroHei-CJK.ttf", mimetype="font/ttf", max_age=30 * 86400)


def _before() -> Any:
    from .views import before

    return before()


def _after(response: Any) -> Any:
    from . import session

    static = request.endpoint in ("mobile.static", "mobile.font")
    for name, value in HEADERS.items():
        if not (static and name == "Cache-Control"):
            response.headers.setdefault(name, value)
    if static:
        return response
    # Every page, error and download here may hold personal data (a voter's words or photo):
    # never stored, whatever the view set (send_file sets "no-cache", which a phone may store).
    response.headers["Cache-Control"] = "no-store"
    return session.save(response)


def _teardown(_exc: BaseException | None) -> None:
    from .views import close_db

    close_db()


def _context() -> dict[str, Any]:
    from .views import template_context

    return template_context()


def _error(exc: Any) -> Any:
    from .views import error_page

    return error_page(exc)
