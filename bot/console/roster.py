"""The roster in the console (admin and staff): upload a workbook or voter CSV,
read the dry run row by row, confirm a clean one; download the template and
the (audited) roster. Rules and role checks are services/roster/uploads.py and
manage.py, the same as `liaison roster`.

Between the dry run and the confirmation the file waits in Redis for
UPLOAD_TTL seconds under a random token, sealed with a random key kept in the
clerk's session: the bytes (phones in them) are never readable from Redis
alone, and only the clerk who uploaded them can confirm them. A confirmation
takes the file out of Redis in one step (a Lua script) before importing it,
so a double click or a replayed form imports it once; a failed import puts
it back for the time it had left."""
from __future__ import annotations

import base64
import logging
import os
import secrets
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, send_file, session, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from ..extensions import current
from ..services.calendar.local_time import BEIJING
from ..services.roster import report
from ..services.roster_desk import manage, uploads
from .auth import client_address, db, staff_only

log = logging.getLogger(__name__)

UPLOAD_TTL = 15 * 60
EXPIRED = "这次检查的文件已过期（超过 15 分钟）或已经导入，请重新上传"
TAKEN = "这个文件已经确认过，正在导入或已经导入，请不要重复点击；请稍后在名册页面查看结果"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def page() -> Any:
    me = staff_only()
    return render_template("console/roster.html", data=manage.overview(db(), me), stat_names=report.STAT_NAMES,
                           level_names=report.LEVEL_NAMES)


def template() -> Any:
    data = manage.template_bytes(staff_only())
    return _download(data, "名册模板.xlsx", XLSX)


def export() -> Any:
    me, s, ext = staff_only(), db(), current()
    data, _ = manage.export(s, me, ext.phones, ext.now(), target="console", address=client_address())
    s.commit()
    stamp = ext.now().astimezone(BEIJING).strftime("%Y%m%d-%H%M")
    return _download(data or b"", f"名册-{stamp}.xlsx", XLSX)


def _download(data: bytes, name: str, mimetype: str) -> Any:
    import io

    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


def check() -> Any:
    """The dry run: nothing is written; a clean file waits for the confirmation."""
    me, s, ext = staff_only(), db(), current()
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
    """Import the waiting file. It is taken out of Redis in one step first, so a
    double click or a replayed form imports it once; if the import finds
    problems or fails, it is put back for its remaining time and can be retried."""
    me, s, ext = staff_only(), db(), current()
    back = redirect(url_for("console.roster"))
    taken = _take(me, request.form.get("token", ""))
    if not isinstance(taken, _Taken):
        flash(TAKEN if taken is BUSY else EXPIRED, "error")
        return back
    upload = taken.upload
    try:
        summary = uploads.apply(s, me, upload, ext.phones, ext.now(), address=client_address())
        if summary.problems:  # the roster changed since the dry run
            s.rollback()
            _put_back(taken.token, taken.fields, taken.ttl_ms)
            return render_template("console/roster_check.html", summary=summary, name=upload.name, token=None,
                                   ttl=UPLOAD_TTL // 60, again=True)
        s.commit()
    except Exception:
        s.rollback()
        _put_back(taken.token, taken.fields, taken.ttl_ms)
        raise
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


@dataclass(frozen=True)
class _Taken:
    token: str
    fields: dict[bytes, bytes]  # the Redis entry as it was, to put back
    ttl_ms: int
    upload: uploads.Upload


BUSY = object()  # another confirmation of this file has taken it
# Atomically: the entry if it is this clerk's, deleted as it is read, with a
# marker that it was taken (for a second confirmation's message) for its remaining time.
_TAKE = """
local user = redis.call('HGET', KEYS[1], 'user')
if not user then return redis.call('EXISTS', KEYS[2]) end
if user ~= ARGV[1] then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 1 then ttl = tonumber(ARGV[2]) end
local got = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], '1', 'PX', ttl)
return {ttl, got}
"""


def _taken_key(token: str) -> str:
    return _key(token) + ":taken"


def _take(me: Any, token: str) -> _Taken | object | None:
    """The waiting file, now removed from Redis; BUSY if another confirmation
    took it; None if it is not there, not this clerk's, or not readable."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    held = session.get("roster_upload") or {}
    if not token or held.get("token") != token or held.get("user") != me.id:
        return None
    answer = current().redis.eval(_TAKE, 2, _key(token), _taken_key(token), str(me.id), UPLOAD_TTL * 1000)
    if not isinstance(answer, list):
        return BUSY if answer == 1 else None
    flat = answer[1]
    got = dict(zip(flat[::2], flat[1::2]))
    ttl_ms, sealed = int(answer[0]), got.get(b"data", b"")
    try:
        if got.get(b"kind") not in (b"xlsx", b"csv"):
            raise ValueError("unknown kind")
        data = AESGCM(base64.urlsafe_b64decode(held["key"])).decrypt(sealed[:12], sealed[12:], token.encode())
    except (InvalidTag, ValueError, KeyError):
        _put_back(token, got, ttl_ms)
        return None
    upload = uploads.Upload(got[b"kind"].decode(), data, got.get(b"name", b"").decode(errors="replace"))
    return _Taken(token, got, ttl_ms, upload)


def _put_back(token: str, fields: dict[bytes, bytes], ttl_ms: int) -> None:
    """The entry as it was, for the time it had left: the clerk may confirm again."""
    try:
        pipe = current().redis.pipeline()
        pipe.hset(_key(token), mapping=fields)
        pipe.pexpire(_key(token), max(1, ttl_ms))
        pipe.delete(_taken_key(token))
        pipe.execute()
    except Exception:
        log.warning("roster upload %s could not be put back in Redis", token[:6], exc_info=True)


def _drop() -> None:
    held = session.pop("roster_upload", None)
    if held and held.get("token"):
        try:
            current().redis.delete(_key(held["token"]))
        except Exception:
            pass  # it expires anyway
