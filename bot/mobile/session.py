"""The phone pages' own session: a signed cookie, separate from the console's.

Flask has one session per app and the console's is for staff logins; a deputy
who opens /m/ inside WeChat must never get, or reuse, one of those. So this is
a second signed cookie, path /m/, signed with the app's keys under a salt of
its own (a console cookie does not verify here, nor this one there), with a
CSRF token of its own. It holds no personal data: the deputy's id, a keyed
pseudonym of the WeChat account it was opened from (bot/logid.py), the pending
authorisation's state, the CSRF token and a one-shot message.

Each action form also carries a one-use nonce (`action_nonce`): the view spends
it in Redis (SET NX) before acting, so a double tap or a resent form acts once.
A cookie cannot do that: two taps arrive together carrying the same cookie."""
from __future__ import annotations

import hmac
import re
import secrets
from typing import Any

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "liaison_m"
PATH = "/m/"
SALT = "liaison-mobile-session"
IDLE_SECONDS = 30 * 60  # re-authorisation is silent inside WeChat (snsapi_base), so keep this short
LOGIN_SECONDS = 12 * 3600  # however busy, a login ends after this (on the app's clock)
# How long a spent action nonce is remembered: a form is only ever accepted with its
# login's CSRF token (a new login is a new token), and a login ends after LOGIN_SECONDS.
NONCE_SECONDS = LOGIN_SECONDS + IDLE_SECONDS
_NONCE = re.compile(r"[A-Za-z0-9_-]{22}")


def _serializer() -> URLSafeTimedSerializer:
    s = current_app.config
    # itsdangerous signs with the last key and accepts all: the newest is SECRET_KEY.
    keys = [*reversed(s.get("SECRET_KEY_FALLBACKS") or []), s["SECRET_KEY"]]
    return URLSafeTimedSerializer(keys, salt=SALT)


def load() -> dict[str, Any]:
    """This request's session (an empty one when the cookie is missing, forged or stale)."""
    if "mobile" not in g:
        raw = request.cookies.get(COOKIE, "")
        data: Any = {}
        if raw:
            try:
                data = _serializer().loads(raw, max_age=IDLE_SECONDS)
            except BadSignature:  # SignatureExpired is one too
                data = {}
        g.mobile = data if isinstance(data, dict) else {}
        g.mobile_dirty = False
    return g.mobile


def update(**values: Any) -> None:
    load().update(values)
    g.mobile_dirty = True


def reset(**values: Any) -> None:
    """A fresh session (a new CSRF token): at every change of who is logged in."""
    g.mobile = {"c": secrets.token_urlsafe(24), **values}
    g.mobile_dirty = True


def csrf_token() -> str:
    found = load().get("c")
    if not found:
        found = secrets.token_urlsafe(24)
        update(c=found)
    return found


def csrf_ok() -> bool:
    sent, held = request.form.get("csrf_token", ""), load().get("c", "")
    return bool(sent and held) and hmac.compare_digest(sent.encode(), held.encode())


def action_nonce() -> str:
    """A fresh one-use token for one rendered action form."""
    return secrets.token_urlsafe(16)


def nonce_sent() -> str | None:
    """The form's nonce, when it has a well-formed one."""
    sent = request.form.get("nonce", "")
    return sent if _NONCE.fullmatch(sent) else None


def say(kind: str, text: str) -> None:
    """A message for the next page ("ok" or "error")."""
    update(f=[kind, text])


def said() -> tuple[str, str] | None:
    found = load().get("f")
    if not found:
        return None
    update(f=None)
    return found[0], found[1]


def save(response: Any) -> Any:
    """Write the cookie back: when changed, and on every signed-in page (the idle clock restarts)."""
    data = g.get("mobile")
    if data is None or not (g.get("mobile_dirty") or data.get("d")):
        return response
    data = {k: v for k, v in data.items() if v is not None}
    secure = not current_app.config.get("SANDBOX")
    response.set_cookie(COOKIE, _serializer().dumps(data), max_age=IDLE_SECONDS, path=PATH, secure=secure,
                        httponly=True, samesite="Lax")
    response.vary.add("Cookie")
    return response
