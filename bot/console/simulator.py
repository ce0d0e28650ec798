"""The phone simulator (sandbox mode only): a voter's phone and a deputy's
phone side by side. What is typed on either goes to this server's own /wechat
over HTTP, signed (and sealed in safe mode) as WeChat's servers would send it,
so it passes the webhook's every check; nothing here touches a ticket. What the
worker then pushes to either openid is read back from the outbox
(services/outbox/feed.py) and shown as it arrives. In live mode these routes
are not registered at all (bot/console ROUTES, SANDBOX_ONLY)."""
from __future__ import annotations

import ipaddress
from typing import Any

from flask import abort, jsonify, render_template, request

from ..extensions import current
from ..services.accounts import audit
from ..services.outbox import feed as outbox_feed
from ..services.roster import cast
from ..wechat.simulator import NotDelivered, send_text
from .auth import client_address, db, staff_only, user
from .labels import beijing

# WeChat takes 2,048 bytes of text; a simulated message is a sentence or two.
MAX_TEXT = 500
ACCOUNT = "人大代表联络站"


def _guard() -> None:
    if not current().sandbox:
        abort(404)  # never reached while the routes are sandbox-only; kept should that change
    staff_only()


def page() -> Any:
    _guard()
    s = db()
    voter, deputy = cast.pair(s, request.args.get("voter", "").strip(), request.args.get("deputy", "").strip())
    return render_template("console/simulator.html", voters=cast.voters(s), deputies=cast.deputies(s),
                           voter=voter, deputy=deputy, cursor=outbox_feed.cursor(s), account=ACCOUNT,
                           max_text=MAX_TEXT)


def _refused(message: str, status: int = 400) -> Any:
    return jsonify(error=message), status


def send() -> Any:
    _guard()
    me, s, ext = user(), db(), current()
    side, code = request.form.get("side", ""), request.form.get("code", "").strip()[:32]
    text = request.form.get("text", "").strip()
    person = cast.voter(s, code) if side == "voter" else cast.deputy(s, code) if side == "deputy" else None
    if person is None:
        return _refused("请先在页面右边选择名册里的选民和代表")
    if not text:
        return _refused("请输入要发送的文字")
    if len(text) > MAX_TEXT:
        return _refused(f"一条消息最多 {MAX_TEXT} 个字，现在是 {len(text)} 个字")
    audit.record(s, actor=me.username, action="simulator.send", target=person.code,
                 detail=f"{'选民' if side == 'voter' else '代表'}手机，文字 {len(text)} 字",
                 address=client_address(), now=ext.now())
    s.commit()
    try:
        reply = send_text(_webhook_url(), ext.gate, person.openid, text, int(ext.clock()))
    except NotDelivered as exc:
        if exc.status == 0:
            return _refused("连不上本机的 /wechat，消息没有发出。请确认服务在运行。", 502)
        return _refused(f"公众号后台拒收了这条消息（HTTP {exc.status}）。模拟器只能在本机使用："
                        "服务要监听本机地址（如 127.0.0.1）。", 502)
    return jsonify(reply=reply)


def feed() -> Any:
    """What the worker has pushed to each phone since the page was opened."""
    _guard()
    s = db()
    after = outbox_feed.Cursor(_number("push"), _number("delivery"))
    out: dict[str, Any] = {}
    openids = []
    for side, find in (("voter", cast.voter), ("deputy", cast.deputy)):
        person = find(s, request.args.get(side, "").strip()[:32])
        if person is None:
            out[side] = []
            continue
        openids.append(person.openid)
        out[side] = [{"key": a.key, "text": a.text, "title": a.title, "at": beijing(a.at, "%H:%M")}
                     for a in outbox_feed.arrived(s, person.openid, after)]
    out["waiting"] = outbox_feed.waiting(s, openids, after) if openids else 0
    return jsonify(out)


def _number(name: str) -> int:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


def _webhook_url() -> str:
    """This server's own /wechat, reached from this machine: the address the
    request came in on (the listening socket's), loopback when it listens on all."""
    host, port = request.environ.get("SERVER_NAME", ""), request.environ.get("SERVER_PORT", "")
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is None or address.is_unspecified:
        host = "::1" if address is not None and address.version == 6 else "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}{request.script_root}/wechat"
