"""The roster in the console (admin and staff): upload a workbook or voter CSV,
read the dry run row by row, confirm a clean one; download the template and
the (audited) roster. Rules and role checks are services/roster/uploads.py and
manage.py, the same as `liaison roster`.

Between the dry run and the confirmation the file waits in Redis for
UPLOAD_TTL seconds under a random token, sealed with a random key kept in the
clerk's session: the bytes (phones in them) are never readable from Redis
alone, and only the clerk who uploaded them can confirm them."""
from __future__ import annotations

import base64
import os
import secrets
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, session, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import current
from ..services.accounts import Forbidden
from ..services.calendar.local_time import BEIJING
from ..services.roster import report
from ..services.roster_desk import manage, uploads
from .auth import client_address, db, user

UPLOAD_TTL = 15 * 60
EXPIRED = "这次检查的文件已过期（超过 15 分钟）或已经导入，请重新上传"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clerk() -> Any:
    me = user()
    try:
        manage.clerk(me)
    except Forbidden as exc:
        abort(403, description=str(exc))
    return me


def page() -> Any:
    me = clerk()
    return render_template("console/roster.html", data=manage.overview(db(), me), stat_names=report.STAT_NAMES,
                           level_names=report.LEVEL_NAMES)


def template() -> Any:
    data = manage.template_bytes(clerk())
    return _download(data, "名册模板.xlsx", XLSX)


def export() -> Any:
    me, s, ext = clerk(), db(), current()
    data, _ = manage.export(s, me, ext.phones, ext.now(), target="console", address=client_address())
    s.commit()
    stamp = ext.now().astimezone(BEIJING).strftime("%Y%m%d-%H%M")
    return _download(data or b"", f"名册-{stamp}.xlsx", XLSX)


def _download(data: bytes, name: str, mimetype: str) -> Any:
    import io

    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


def check() -> Any:
    """The dry run: nothing is written; a clean file waits for the confirmation."""
    me, s, ext = clerk(), db(), current()
    back = redirect(url_for("console.roster"))
    try:
        sent = request.files.get("file")
        upload = uploads.accept(sent.filename or "", sent.read(uploads.MAX_BYTES + 1)) if sent else None
    except RequestEntityTooLarge:
        flash(uploads.TOO_BIG, "error")
        return back
    except uploads.UploadRefused as exc:
        flash(str(exc), "error")
        return back
    if upload is None:
        flash("请先选择要上传的名册文件", "error")
        return back
    summary = uploads.dry_run(s, me, upload, ext.phones, ext.now())
    s.rollback()
    token = None if summary.problems else _stash(me, upload)
    return render_template("console/roster_check.html", summary=summary, name=upload.name, token=token,
                           ttl=UPLOAD_TTL // 60)


def confirm() -> Any:
    me, s, ext = clerk(), db(), current()
    back = redirect(url_for("console.roster"))
    upload = _take(me, request.form.get("token", ""))
    if upload is None:
        flash(EXPIRED, "error")
        return back
    summary = uploads.apply(s, me, upload, ext.phones, ext.now(), address=client_address())
    if summary.problems:  # the roster changed since the dry run
        s.rollback()
        return render_template("console/roster_check.html", summary=summary, name=upload.name, token=None,
                               ttl=UPLOAD_TTL // 60, again=True)
    s.commit()
    _drop()
    created = sum(c.created for c in summary.counts.values())
    updated = sum(c.updated for c in summary.counts.values())
    flash(f"名册已导入：新增 {created} 条，更新 {updated} 条" if summary.changed else "名册已导入：没有变化", "ok")
    return back


# The waiting file: Redis holds it sealed; the session holds the token and the key.
def _key(token: str) -> str:
    return f"liaison:console:roster-upload:{token}"


def _stash(me: Any, upload: uploads.Upload) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    _drop()
    token, key, nonce = secrets.token_urlsafe(24), AESGCM.generate_key(bit_length=256), os.urandom(12)
    sealed = nonce + AESGCM(key).encrypt(nonce, upload.data, token.encode())
    redis = current().redis
    pipe = redis.pipeline()
    pipe.hset(_key(token), mapping={"user": str(me.id), "kind": upload.kind, "name": upload.name.encode(),
                                    "data": sealed})
    pipe.expire(_key(token), UPLOAD_TTL)
    pipe.execute()
    session["roster_upload"] = {"token": token, "key": base64.urlsafe_b64encode(key).decode(), "user": me.id}
    return token


def _take(me: Any, token: str) -> uploads.Upload | None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    held = session.get("roster_upload") or {}
    if not token or held.get("token") != token or held.get("user") != me.id:
        return None
    got = current().redis.hgetall(_key(token))
    if not got or got.get(b"user") != str(me.id).encode() or got.get(b"kind") not in (b"xlsx", b"csv"):
        return None
    sealed = got.get(b"data", b"")
    try:
        data = AESGCM(base64.urlsafe_b64decode(held["key"])).decrypt(sealed[:12], sealed[12:], token.encode())
    except (InvalidTag, ValueError, KeyError):
        return None
    return uploads.Upload(got[b"kind"].decode(), data, got.get(b"name", b"").decode(errors="replace"))


def _drop() -> None:
    held = session.pop("roster_upload", None)
    if held and held.get("token"):
        try:
            current().redis.delete(_key(held["token"]))
        except Exception:
            pass  # it expires anyway
