"""The phone pages' views: signing in through WeChat web authorisation, the
deputy's ticket list, one ticket, and one POST per action.

Each action is desk.take, the WeChat command's own path (the same rules,
events and pushes), on a ticket services/tickets/mine.py says is theirs; its
form's one-use nonce is spent in Redis first (a double tap acts once); it is
audited and committed through bot/jobs/commit.py so the voter's push goes out.
What only writes an audit row (sign-in, refusals, views, downloads) is a plain
session commit, as in the console. Every sentence is in services/texts.py."""
from __future__ import annotations

import hmac
import logging
import os
import secrets
from typing import Any

from flask import abort, g, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import HTTPException

from .. import dedupe
from ..console.labels import EVENT_NAMES, actor_name, beijing, status_name
from ..extensions import Liaison, current
from ..jobs.commit import commit
from ..models import Deputy
from ..services import texts
from ..services.accounts import NotFound, audit
from ..services.roster.voters import masked, village_name
from ..services.station import Station
from ..services.outcome import Outcome
from ..services.tickets import board, desk, duplicates, lifecycle, mine
from ..services.tickets import media as ticket_media
from . import OPEN, session

log = logging.getLogger(__name__)

MAX_TEXT = 1000
DEFAULT_OAUTH_BASE = "https://open.weixin.qq.com"
ACTIONS, NEEDS = texts.PHONE_ACTIONS, texts.PHONE_NEEDS  # action -> button, in the page's order; what it needs
# One audit row per WeChat account turned away per this many seconds (the log line is every time).
REFUSED_AUDIT_SECONDS = 3600


class NotConfigured(Exception):
    """A setting the sign-in needs is missing (the message is for the deputy's screen)."""


def db() -> Any:
    if "mobile_db" not in g:
        g.mobile_db = current().Session()
    return g.mobile_db


def close_db() -> None:
    found = g.pop("mobile_db", None)
    if found is not None:
        found.close()


def address() -> str:
    return request.remote_addr or "-"


def template_context() -> dict[str, Any]:
    return {"csrf_token": session.csrf_token, "nonce": session.action_nonce, "deputy": g.get("deputy"),
            "status_name": status_name, "beijing": beijing, "event_name": lambda code: EVENT_NAMES.get(code, code),
            "actor_name": actor_name}


def error_page(exc: Any) -> Any:
    code = exc.code if isinstance(exc, HTTPException) and exc.code else 500
    title, text = texts.PHONE_ERRORS.get(code, texts.PHONE_ERRORS[500])
    if isinstance(exc, HTTPException) and exc.description and exc.description != type(exc).description:
        text = exc.description
    return _page(title, text, code)


def _page(title: str, text: str, code: int) -> Any:
    return render_template("mobile/page.html", title=title, text=text), code


# -- signing in ----------------------------------------------------------------
def before() -> Any:
    if request.method == "POST" and not session.csrf_ok():
        abort(400)
    if request.endpoint in OPEN:
        return None
    deputy = _signed_in()
    if deputy is None:
        if request.method != "GET":
            abort(400)
        return _start(request.full_path.rstrip("?"))
    g.deputy = deputy
    return None


def _signed_in() -> Deputy | None:
    data = session.load()
    ident, pseudonym = data.get("d"), data.get("o")
    if not isinstance(ident, int) or not pseudonym:
        return None
    if current().clock() - float(data.get("t") or 0) > session.LOGIN_SECONDS:  # the app's clock, as at sign-in
        return None
    deputy = db().get(Deputy, ident)
    # Unbound, rebound to another WeChat or disabled since: the session ends with it.
    if not mine.may_use(deputy) or not hmac.compare_digest(current().log_id(deputy.openid), str(pseudonym)):
        return None
    return deputy


def _start(target: str) -> Any:
    """Off to WeChat's authorise page with a fresh state bound to this browser's session."""
    from ..wechat import authorize_url

    ext = current()
    try:
        callback = callback_url()
    except NotConfigured:
        return _page(*texts.PHONE_NOT_CONFIGURED, 503)
    state = secrets.token_hex(16)
    session.reset(s=state, n=_safe_next(target))
    base = request.url_root.rstrip("/") + "/m/sandbox" if ext.sandbox else (
        ext.settings.get("WECHAT_OAUTH_BASE") or DEFAULT_OAUTH_BASE)
    return redirect(authorize_url(base, ext.settings["WECHAT_APP_ID"], callback, state))


def callback_url() -> str:
    """Where WeChat sends the phone back: on PUBLIC_BASE_URL (the domain registered
    for web authorisation); the sandbox may use the address it was reached at."""
    ext = current()
    root = ext.settings.get("PUBLIC_BASE_URL")
    if not root:
        if not ext.sandbox:
            log.error("phone pages: LIAISON_PUBLIC_BASE_URL is not set; WeChat cannot send deputies back")
            raise NotConfigured("LIAISON_PUBLIC_BASE_URL is not set")
        root = request.url_root.rstrip("/")
    return root + "/m/auth"


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/m/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def auth() -> Any:
    """WeChat's redirect back: the state must be this browser's, the code names the WeChat account."""
    from ..wechat import ApiError, SandboxOAuth

    ext, data = current(), session.load()
    held, sent = str(data.get("s") or ""), request.args.get("state", "")
    if not held or not hmac.compare_digest(held.encode(), sent.encode()):
        log.warning("phone pages: authorisation state does not match this browser's (%s)",
                    "no state held" if not held else "different state")
        return _page(*texts.PHONE_ERRORS[400], 400)
    code = request.args.get("code", "")
    if not code:
        session.reset()
        return _page(*texts.PHONE_NO_GRANT, 403)
    oauth = SandboxOAuth(ext.redis, ext.settings["WECHAT_APP_ID"]) if ext.sandbox else ext.api
    try:
        openid = oauth.oauth_openid(code)
    except ApiError as exc:
        log.warning("phone pages: web authorisation code exchange failed (errcode %s)", exc.code)
        session.reset()
        abort(502)
    s, now = db(), ext.now()
    deputy = mine.deputy_for(s, openid)
    if deputy is None:
        pseudonym = ext.log_id(openid)
        log.info("phone pages refused WeChat account %s: not a bound, active deputy", pseudonym)
        if _first_refusal(ext, pseudonym):  # any follower can tap 代表工作: one audit row an hour each
            audit.record(s, actor=f"wechat:{pseudonym}", action="mobile.refused", target="",
                         detail="代表手机页面：不是已绑定的在任代表", address=address(), now=now)
            s.commit()
        session.reset()
        return _page(texts.PHONE_NOT_DEPUTY_TITLE, texts.PHONE_NOT_DEPUTY, 403)
    audit.record(s, actor=f"deputy:{deputy.id}", action="mobile.login", target=f"deputy:{deputy.code}",
                 detail="代表手机页面（微信网页授权）", address=address(), now=now)
    s.commit()
    session.reset(d=deputy.id, o=ext.log_id(openid), t=int(ext.clock()))
    return redirect(_safe_next(data.get("n")) or url_for("mobile.home"))


def _first_refusal(ext: Liaison, pseudonym: str) -> bool:
    """Whether this WeChat account's refusal is the first in the hour (and claim it).
    Redis down: audit anyway (each try costs a round trip to WeChat's authorisation)."""
    try:
        return dedupe.first_seen(ext.redis, f"mobile-refused:{pseudonym}", REFUSED_AUDIT_SECONDS)
    except Exception as exc:
        log.warning("phone pages: refusal audit limit unavailable (%s)", type(exc).__name__)
        return True


# -- pages ---------------------------------------------------------------------
def home() -> Any:
    ext, s, deputy = current(), db(), g.deputy
    rows = mine.listing(s, deputy, ext.now(), Station.from_settings(ext.settings))
    return render_template("mobile/home.html", rows=rows, done=mine.finished(s, deputy),
                           overdue=sum(r.overdue for r in rows), message=session.said())


def _theirs(number: str, lock: bool = False) -> Any:
    s, ext = db(), current()
    try:
        return mine.one(s, g.deputy, number, ext.now(), address=address(), lock=lock)
    except NotFound as exc:
        s.commit()  # keep the "ticket.denied" audit row
        abort(404, description=str(exc))


def ticket(number: str) -> Any:
    ext, s, deputy = current(), db(), g.deputy
    found = _theirs(number)
    station = Station.from_settings(ext.settings)
    shown = board.detail(s, found)
    audit.record(s, actor=f"deputy:{deputy.id}", action="ticket.view", target=found.number,
                 detail="代表手机页面", address=address(), now=ext.now())
    s.commit()
    may = {action: lifecycle.allowed(found, action) for action in ACTIONS}
    return render_template("mobile/ticket.html", t=found, shown=shown, may=may, offices=station.offices,
                           who=masked(found.voter, station.mask_village), village=village_name(found.village),
                           linked=duplicates.count_linked(s, found), media=ticket_media.saved(s, found),
                           message=session.said())


def act(number: str) -> Any:
    ext, s, deputy = current(), db(), g.deputy
    action = request.form.get("action", "")
    if action not in ACTIONS:
        abort(400, description=texts.PHONE_NO_SUCH_ACTION)
    now = ext.now()
    found = _theirs(number, lock=True)
    back = redirect(url_for("mobile.ticket", number=found.number))
    arg = request.form.get("office" if action == "transfer" else "text", "").strip()[:MAX_TEXT]
    if action in NEEDS and not arg:
        s.rollback()
        session.say("error", texts.PHONE_NEEDS_TEXT.format(what=NEEDS[action], button=ACTIONS[action]))
        return back
    unspent = _spend(ext, deputy.id)
    if unspent:  # a double tap, a resent form, or Redis down: nothing is done
        s.rollback()
        session.say(*unspent)
        return back
    linked = duplicates.count_linked(s, found)
    station = Station.from_settings(ext.settings)
    try:
        try:  # the WeChat command's own call: "受理 12", "回复 12 …"
            result = desk.take(s, found, action, arg, now, station, deputy=deputy, actor=f"deputy:{deputy.id}")
        except lifecycle.NotAllowed:
            result = desk.Result(Outcome(), False)
        if not result.moved:
            s.rollback()
            session.say("error", mine.refusal(found, action, result.outcome.reply))
            return back
        detail = arg if action == "transfer" else (f"文字 {len(arg)} 字" if arg else "")
        audit.record(s, actor=f"deputy:{deputy.id}", action=f"ticket.{action}", target=found.number,
                     detail=f"代表手机页面{'：' + detail if detail else ''}"[:500], address=address(), now=now)
        commit(ext, s, result.outcome)
    except Exception:
        _unspend(ext, deputy.id)  # nothing was committed: the same form may be sent again
        raise
    session.say("ok", mine.done(action, linked, result.outcome.reply))
    if not desk.may_act(deputy, found):  # returned to the station, or taken over by the staff
        return redirect(url_for("mobile.home"))
    return back


def _nonce_key(deputy_id: int) -> str:
    return f"mobile-act:{deputy_id}:{session.nonce_sent()}"


def _spend(ext: Liaison, deputy_id: int) -> tuple[str, str] | None:
    """Spend the form's one-use nonce (Redis SET NX, atomic across the two requests of a
    double tap): None the first time, else (kind, message) for the page."""
    if session.nonce_sent() is None:
        log.warning("phone pages: action form without a nonce (deputy %s)", deputy_id)
        return "error", texts.PHONE_STALE_FORM
    try:
        first = dedupe.first_seen(ext.redis, _nonce_key(deputy_id), session.NONCE_SECONDS)
    except Exception as exc:  # fail closed: without the check a double tap would act twice
        log.warning("phone pages: action nonce unavailable (%s); nothing done", type(exc).__name__)
        return "error", texts.PHONE_BUSY
    if not first:
        log.info("phone pages: a repeated action form from deputy %s was ignored", deputy_id)
        return "ok", texts.PHONE_REPEATED
    return None


def _unspend(ext: Liaison, deputy_id: int) -> None:
    try:
        dedupe.forget(ext.redis, _nonce_key(deputy_id))
    except Exception:
        pass


def media(number: str, media_id: str) -> Any:
    """A photo or video the voter sent with this ticket."""
    ext, s = current(), db()
    found = _theirs(number)
    relative = ticket_media.saved(s, found).get(media_id)
    root = os.path.realpath(ext.settings["INSTANCE_PATH"])
    path = os.path.realpath(os.path.join(root, relative)) if relative else ""
    if not path.startswith(root + os.sep) or not os.path.isfile(path):
        abort(404, description=texts.PHONE_NO_MEDIA)
    audit.record(s, actor=f"deputy:{g.deputy.id}", action="ticket.media", target=found.number,
                 detail=f"代表手机页面：{media_id[:64]}", address=address(), now=ext.now())
    s.commit()
    return send_file(path, max_age=0)


def missing(rest: str) -> Any:
    abort(404)
