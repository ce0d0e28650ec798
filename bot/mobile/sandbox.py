"""WeChat's authorise page, simulated for the sandbox (no WeChat account to ask).

In WeChat the phone's owner is known and the redirect back is silent; here the
person at the keyboard picks which bound deputy (or which openid) holds the
phone, and gets the one-use code WeChat would have given (bot/wechat
SandboxOAuth). Sandbox mode and this machine only: anywhere else it would let
anyone be any deputy."""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from flask import abort, redirect, render_template, request

from ..extensions import current
from ..services.tickets import mine
from ..web.sandbox import from_loopback
from .views import callback_url, db

log = logging.getLogger(__name__)
MAX_OPENID = 64


def authorize() -> Any:
    from ..wechat import SandboxOAuth

    ext = current()
    if not ext.sandbox or not from_loopback(int(ext.settings.get("PROXY_COUNT") or 0)):
        log.warning("simulated WeChat authorisation refused (403): %s", "not in sandbox mode" if not ext.sandbox
                    else f"request from {request.remote_addr} is not loopback")
        abort(403, description="模拟微信授权只在沙箱模式下、从本机访问时可用。")
    args = request.args
    app_id, target, state = args.get("appid", ""), args.get("redirect_uri", ""), args.get("state", "")
    if (app_id != ext.settings["WECHAT_APP_ID"] or args.get("response_type") != "code"
            or args.get("scope") != "snsapi_base" or target != callback_url()):
        abort(400, description="授权参数不对：appid、redirect_uri、response_type 或 scope 与本服务不符。")
    if request.method == "POST":
        openid = request.form.get("openid", "").strip()[:MAX_OPENID]
        if not openid:
            abort(400, description="请选择一位代表，或填写一个微信 openid。")
        code = SandboxOAuth(ext.redis, app_id).issue(openid)
        return redirect(target + "?" + urlencode({"code": code, "state": state}))
    return render_template("mobile/authorize.html", people=mine.bound_deputies(db()),
                           action=request.full_path)
