"""The roster's "3+10" health report, one deputy's, group's or voter's record,
and the QR codes: posters per site and group, a deputy's new binding card,
revoking a code. Each asks services/roster/manage.py (admin or staff only),
the same calls as `liaison roster check` and `liaison qr`. Downloading a poster
(GET) only draws a code already issued; issuing one is a POST with its CSRF token."""
from __future__ import annotations

import io
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for

from ..extensions import current
from ..services.roster_desk import manage
from .auth import client_address, db, staff_only

CONFIRM = "请先勾选“我确认”，再点按钮"
REVOKED = {"group": "已作废联系选民群 {code} 的二维码，群成员保留；要重新启用，请在名册里把“启用”改为“是”后导入",
           "site": "已作废站点 {code} 的二维码，已关联的选民保留；请下载并张贴新海报"}


def health() -> Any:
    me = staff_only()
    return render_template("console/roster_health.html", checks=manage.health(db(), me))


def record(kind: str, code: str) -> Any:
    me = staff_only()
    found = manage.record(db(), me, kind, code[:32], _create())
    if found is None:
        abort(404, description=f"名册里没有编码为 {code[:32]} 的{manage.KIND_NAMES.get(kind, '记录')}")
    return render_template("console/roster_record.html", r=found, kind_name=manage.KIND_NAMES[kind])


def qr_page() -> Any:
    me = staff_only()
    return render_template("console/roster_qr.html", data=manage.qr_listing(db(), me, _create()),
                           sandbox=current().sandbox)


def _create() -> Any:
    ext = current()
    return None if ext.sandbox else ext.api.create_qr


def _file(done: manage.PosterFile) -> Any:
    return send_file(io.BytesIO(done.data), mimetype=done.mimetype, as_attachment=True,
                     download_name=done.name, max_age=0)


def poster(kind: str, code: str, fmt: str) -> Any:
    """A site's or group's poster of its issued code: a GET issues nothing (see `issue`)."""
    me, s, ext = staff_only(), db(), current()
    try:
        done = manage.poster(s, me, kind, code[:32], fmt, ext.now(), _create(), issue=False)
    except manage.RosterError as exc:
        abort(404, description=str(exc))
    finally:
        s.rollback()  # nothing to keep: a GET writes nothing
    return _file(done)


def issue(kind: str, code: str) -> Any:
    """Issue a site's or group's code (in live mode a WeChat call), then its posters can be downloaded."""
    me, s, ext = staff_only(), db(), current()
    back = redirect(url_for("console.roster_record", kind=kind, code=code[:32])
                    if request.form.get("back") == "record" else url_for("console.roster_qr"))
    try:
        made = manage.issue(s, me, kind, code[:32], ext.now(), _create())
    except manage.RosterError as exc:
        s.rollback()
        flash(str(exc), "error")
        return back
    s.commit()
    name = manage.KIND_NAMES[kind]
    flash(f"已生成{name} {code[:32]} 的二维码，请下载海报" if made else f"{name} {code[:32]} 已经有二维码，可以直接下载海报",
          "ok")
    return back


def card(code: str) -> Any:
    """A deputy's new private card: the old unused one stops working."""
    me, s, ext = staff_only(), db(), current()
    back = redirect(url_for("console.roster_record", kind="deputy", code=code[:32]))
    if request.form.get("confirm") != "yes":
        flash(CONFIRM, "error")
        return back
    try:
        done = manage.renew_card(s, me, code[:32], request.form.get("format", "pdf"), ext.now(), _create(),
                                 address=client_address())
    except manage.RosterError as exc:
        s.rollback()
        flash(str(exc), "error")
        return back
    s.commit()  # only now is the old card void: the new one is in this response
    return _file(done)


def revoke(kind: str, code: str) -> Any:
    me, s, ext = staff_only(), db(), current()
    if kind not in REVOKED:
        abort(404)
    to_list = kind == "site" or request.form.get("back") == "qr"
    back = redirect(url_for("console.roster_qr") if to_list
                    else url_for("console.roster_record", kind=kind, code=code[:32]))
    if request.form.get("confirm") != "yes":
        flash(CONFIRM, "error")
        return back
    try:
        manage.revoke(s, me, kind, code[:32], ext.now(), address=client_address())
    except manage.RosterError as exc:
        s.rollback()
        flash(str(exc), "error")
        return back
    s.commit()
    flash(REVOKED[kind].format(code=code[:32]), "ok")
    return back
