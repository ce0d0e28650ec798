"""Deputies' WeChat bindings in the console (admin and staff): the pending
requests a scanned card left, every bound deputy, and confirm / reject / revoke,
each through services/accounts/bindings.py (which audits it) and committed so
its pushes go out as they would from the CLI."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from ..extensions import current
from ..jobs.commit import commit
from ..services.accounts import Forbidden, NotFound
from ..services.accounts import bindings as service
from .auth import client_address, db, user

DONE = {"confirm": "已确认绑定，代表和原来绑定的微信都会收到通知", "reject": "已拒绝，扫码人会收到通知",
        "revoke": "已解除绑定，该微信会收到通知"}


def _staff_only() -> Any:
    me = user()
    try:
        service.may_decide(me)
    except Forbidden as exc:
        abort(403, description=str(exc))
    return me


def page() -> Any:
    _staff_only()
    return render_template("console/bindings.html", data=service.listing(db()))


def decide(action: str) -> Any:
    me, s, ext = _staff_only(), db(), current()
    if action not in DONE:
        abort(404)
    back = redirect(url_for("console.bindings"))
    try:
        if action == "revoke":
            if request.form.get("confirm") != "yes":
                raise service.BindingError("请先勾选“我确认”，再点按钮")
            outcome = service.revoke(s, request.form.get("deputy", "")[:32], me.username, ext.now(),
                                     address=client_address())
        else:
            try:
                request_id = int(request.form.get("id", ""))
            except ValueError:
                raise NotFound("没有这个绑定申请") from None
            run = service.confirm if action == "confirm" else service.reject
            outcome = run(s, request_id, me.username, ext.now(), address=client_address())
    except (service.BindingError, NotFound) as exc:
        s.rollback()
        flash(str(exc), "error")
        return back
    commit(ext, s, outcome)
    flash(DONE[action], "ok")
    return back
