"""The phone pages' views: signing in through WeChat web authorisation, the
deputy's ticket list, one ticket, and one POST per action.

Each action is desk.take, the WeChat command's own path (the same rules,
events and pushes), on a ticket services/tickets/mine.py says is theirs; it is
audited and committed through bot/jobs/commit.py so the voter's push goes out."""
from __future__ import annotations

import hmac
import logging
import os
import secrets
import time
from typing import Any

from flask import abort, g, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import HTTPException

from ..console.labels import EVENT_NAMES, actor_name, beijing, status_name
from ..extensions import current
from ..jobs.commit import commit
from ..models import Deputy
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
# action -> button; the order is the page's.
ACTIONS = {"accept": "受理", "reply": "回复群众", "progress": "记录进展", "resolve": "办结", "transfer": "转办",
           "escalate": "上报上级", "return": "退回联络站"}
NEEDS = {"reply": "回复的内容", "progress": "办理进展", "resolve": "办理结果", "escalate": "上报原因",
         "return": "退回原因", "transfer": "要转给的站所"}
ERRORS = {400: ("页面已过期", "请回到公众号，从菜单“代表工作”重新进入。"),
          403: ("不能访问", "这个页面只供已绑定的人大代表使用。"),
          404: ("没有找到", "没有这个页面，或者这件工单不是分派给您的。"),
          405: ("请求无效", "不支持这种操作。"),
          500: ("出错了", "系统出了点问题，请稍后再试，或联系联络站工作人员。"),
          502: ("暂时无法确认您的身份", "微信暂时没有答复，请稍后从公众号菜单“代表工作”重新进入。")}
NOT_DEPUTY = ("这里是人大代表办理群众意见的页面。您的微信还没有绑定为人大代表，或者绑定还没有经联络站确认。"
              "如果您是代表，请扫描联络站发给您的代表绑定卡，等工作人员确认后再进入；"
              "如果您想反映问题，请回到公众号直接发文字或语音。")


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
    return {"csrf_token": session.csrf_token, "deputy": g.get("deputy"), "status_name": status_name,
            "beijing": beijing, "event_name": lambda code: EVENT_NAMES.get(code, code), "actor_name": actor_name}


def error_page(exc: Any) -> Any:
    code = exc.code if isinstance(exc, HTTPException) and exc.code else 500
    title, text = ERRORS.get(code, ERRORS[500])
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
    if not isinstance(ident, int) or not pseudonym or time.time() - float(data.get("t") or 0) > session.LOGIN_SECONDS:
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
    except NotConfigured as exc:
        return _page("还不能从微信进入", str(exc), 503)
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
            raise NotConfigured("系统还没有设置对外网址（LIAISON_PUBLIC_BASE_URL），暂时不能从微信进入代表工作页面。"
                                "请联系联络站工作人员。")
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
        return _page("页面已过期", "请回到公众号，从菜单“代表工作”重新进入。", 400)
    code = request.args.get("code", "")
    if not code:
        session.reset()
        return _page("没有得到微信授权", "请回到公众号，从菜单“代表工作”重新进入。", 403)
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
        log.info("phone pages refused WeChat account %s: not a bound, active deputy", ext.log_id(openid))
        audit.record(s, actor=f"wechat:{ext.log_id(openid)}", action="mobile.refused", target="",
                     detail="代表手机页面：不是已绑定的在任代表", address=address(), now=now)
        s.commit()
        session.reset()
        return _page("这里只供人大代表使用", NOT_DEPUTY, 403)
    audit.record(s, actor=f"deputy:{deputy.id}", action="mobile.login", target=f"deputy:{deputy.code}",
                 detail="代表手机页面（微信网页授权）", address=address(), now=now)
    s.commit()
    session.reset(d=deputy.id, o=ext.log_id(openid), t=int(time.time()))
    return redirect(_safe_next(data.get("n")) or url_for("mobile.home"))


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
        abort(400, description="没有这个操作。")
    now = ext.now()
    found = _theirs(number, lock=True)
    back = redirect(url_for("mobile.ticket", number=found.number))
    arg = request.form.get("office" if action == "transfer" else "text", "").strip()[:MAX_TEXT]
    if action in NEEDS and not arg:
        s.rollback()
        session.say("error", f"请先填写{NEEDS[action]}，再点“{ACTIONS[action]}”")
        return back
    linked = duplicates.count_linked(s, found)
    station = Station.from_settings(ext.settings)
    try:  # the WeChat command's own call: "受理 12", "回复 12 …"
        result = desk.take(s, found, action, arg, now, station, deputy=deputy, actor=f"deputy:{deputy.id}")
    except lifecycle.NotAllowed:
        result = desk.Result(Outcome(), False)
    if not result.moved:
        s.rollback()
        session.say("error", _refused(found, action, result.outcome.reply))
        return back
    detail = arg if action == "transfer" else (f"文字 {len(arg)} 字" if arg else "")
    audit.record(s, actor=f"deputy:{deputy.id}", action=f"ticket.{action}", target=found.number,
                 detail=f"代表手机页面{'：' + detail if detail else ''}"[:500], address=address(), now=now)
    commit(ext, s, result.outcome)
    session.say("ok", _done(action, linked, result.outcome.reply))
    if not desk.may_act(deputy, found):  # returned to the station, or taken over by the staff
        return redirect(url_for("mobile.home"))
    return back


def _refused(t: Any, action: str, said: str | None) -> str:
    if t.status in lifecycle.WAITING and action != "return":
        return "这件工单还没有受理，请先点“受理”"
    return said or f"目前不能{ACTIONS[action]}"


def _done(action: str, linked: int, said: str | None) -> str:
    """What the deputy reads after a move: the command's own answer, without the
    command hints ("请发送：办结 12 …") that make sense only in the chat."""
    others = {"reply": f"并入此单的 {linked} 位群众只收到“有新进展”的通知。",
              "resolve": f"并入此单的 {linked} 位群众只收到“已办结”的通知，也会被请求评价。"}
    mine_ = {"accept": "已受理，已告知群众。办好后请在这里回复群众或办结。", "progress": "进展已记下，已告诉群众。",
             "reply": "答复已发给群众。", "resolve": "已办结，已告知群众并请其评价。"}
    if action in mine_:
        return mine_[action] + (others[action] if linked and action in others else "")
    return said or "已办理"


def media(number: str, media_id: str) -> Any:
    """A photo or video the voter sent with this ticket."""
    ext, s = current(), db()
    found = _theirs(number)
    relative = ticket_media.saved(s, found).get(media_id)
    root = os.path.realpath(ext.settings["INSTANCE_PATH"])
    path = os.path.realpath(os.path.join(root, relative)) if relative else ""
    if not path.startswith(root + os.sep) or not os.path.isfile(path):
        abort(404, description="附件还没有保存下来，或已被删除。")
    audit.record(s, actor=f"deputy:{g.deputy.id}", action="ticket.media", target=found.number,
                 detail=f"代表手机页面：{media_id[:64]}", address=address(), now=ext.now())
    s.commit()
    return send_file(path, max_age=0)


def missing(rest: str) -> Any:
    abort(404)
