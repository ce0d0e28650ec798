"""Broadcasts (群发通知) in the console: the list, compose and edit with a live
audience count and a phone preview, send now or at a time, the progress bar
(a small fragment htmx polls), pause / resume / cancel, and the delivery
report as a page and an .xlsx download.

Who may, and every rule, is services/broadcasts (desk.py, control.py,
report.py); each POST calls one of them, audits it, commits through
bot/jobs/commit.py (which starts the worker's sender when it is due) and
redirects with a Chinese flash."""
from __future__ import annotations

import secrets
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for

from ..extensions import current
from ..jobs import SEND_BROADCAST
from ..jobs.commit import commit
from ..models import DELIVERY_STATUSES
from ..services.accounts import Forbidden, NotFound, audit
from ..services.broadcasts import control, desk, report
from ..services.broadcasts.broadcast import BroadcastError
from ..services.outcome import Outcome
from ..services.texts import BROADCAST_TITLE
from .auth import client_address, db, user

PER_PAGE = 30
DONE = {"draft": "已保存为草稿", "now": "已开始发送", "schedule": "已定时"}
ACTED = {"pause": "已暂停，还没发出的先不发", "resume": "已继续发送", "cancel": "已取消，还没发出的不再发送"}


def _guard(call: Any, *args: Any, **kwargs: Any) -> Any:
    """A service call, its refusals as the console's 403 and 404 pages."""
    try:
        return call(*args, **kwargs)
    except Forbidden as exc:
        abort(403, description=str(exc))
    except NotFound as exc:
        abort(404, description=str(exc))


def _page_number() -> int:
    raw = request.args.get("page", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1


def _draft(form: Any) -> desk.Draft:
    kind = form.get("kind", "")[:16]
    # One set of checkboxes per kind: only the chosen kind's count.
    return desk.Draft(text=form.get("text", "")[:desk.MAX_TEXT * 2], title=form.get("title", "")[:200],
                      template_id=form.get("template_id", "")[:200], kind=kind,
                      codes=form.getlist(f"codes_{kind}")[:desk.MAX_CODES + 1], when=form.get("when", "")[:32])


def _phone(draft: desk.Draft, author: str) -> dict[str, Any]:
    """What the phone preview needs besides the draft."""
    ext = current()
    ready = bool(draft.template_id or ext.settings.get("WECHAT_TEMPLATE_ID") or ext.sandbox)
    return {"draft": draft, "author": author, "template_ready": ready, "default_title": BROADCAST_TITLE}


def _audit(action: str, broadcast_id: int, detail: str = "") -> None:
    audit.record(db(), actor=user().username, action=action, target=f"broadcast:{broadcast_id}",
                 detail=detail[:500], address=client_address(), now=current().now())


class ComposeTokens:
    """The compose form's one-use tokens (desk.Once) in Redis, one key per
    user and token: SET NX claims it, the value becomes the broadcast's id."""

    TTL = 24 * 3600

    def __init__(self, redis: Any, username: str):
        self.redis, self.username = redis, username

    def _key(self, token: str) -> str:
        return f"liaison:broadcast-compose:{self.username}:{token}"

    def claim(self, token: str) -> bool:
        return bool(self.redis.set(self._key(token), b"", nx=True, ex=self.TTL))

    def first(self, token: str) -> int | None:
        held = self.redis.get(self._key(token))
        return int(held) if held and held.isdigit() else None

    def settle(self, token: str, broadcast_id: int) -> None:
        self.redis.set(self._key(token), str(broadcast_id).encode(), xx=True, ex=self.TTL)

    def release(self, token: str) -> None:
        self.redis.delete(self._key(token))


def _start(restart: bool, broadcast_id: int) -> Outcome:
    return Outcome().add_job(SEND_BROADCAST, broadcast_id) if restart else Outcome()


def index() -> Any:
    me, s, ext = user(), db(), current()
    number = _page_number()
    items, total = _guard(desk.listing, s, me, ext.now(), number, PER_PAGE)
    s.commit()  # this year's publicity-day drafts, made if missing
    last = max(1, -(-total // PER_PAGE))
    return render_template("console/broadcasts.html", items=items, total=total, number=number, last=last)


def _form(draft: desk.Draft, broadcast_id: int | None = None, status: int = 200) -> Any:
    me, s = user(), db()
    return render_template("console/broadcast_compose.html", broadcast_id=broadcast_id,
                           compose_token=secrets.token_urlsafe(24), choices=_guard(desk.choices, s, me), kinds=desk.KIND_NAMES, buttons=desk.DO,
                           counts=desk.audience(s, me, draft), max_text=desk.MAX_TEXT,
                           **_phone(draft, me.username)), status


def _save(broadcast_id: int | None) -> Any:
    me, s, ext = user(), db(), current()
    draft, do = _draft(request.form), request.form.get("do", "")
    token, once = request.form.get("compose_token", "")[:64], ComposeTokens(ext.redis, me.username)
    try:
        b, due = _guard(desk.compose, s, me, draft, do, ext.now(), once=once, token=token,
                        broadcast_id=broadcast_id)
    except desk.Submitted as exc:  # posted twice: the first post made it, this one makes nothing
        s.rollback()
        flash(str(exc), "error")
        if exc.broadcast_id is None:
            return redirect(url_for("console.broadcasts"))
        return redirect(url_for("console.broadcast", broadcast_id=exc.broadcast_id))
    except BroadcastError as exc:
        s.rollback()
        flash(control.explain(exc), "error")
        return _form(draft, broadcast_id, 422)
    action = {"draft": "broadcast.save", "now": "broadcast.send", "schedule": "broadcast.schedule"}[do]
    _audit(action, b.id, f"{desk.describe(s, b.targets)}；{control.beijing(b.scheduled_at)}"[:500])
    commit(ext, s, _start(due, b.id))
    flash(f"群发 #{b.id} {DONE[do]}" + (f"，将于 {control.beijing(b.scheduled_at)}（北京时间）发送"
                                         if do == "schedule" else ""), "ok")
    return redirect(url_for("console.broadcast", broadcast_id=b.id))


def new() -> Any:
    _guard(desk.require_staff, user())
    if request.method == "POST":
        return _save(None)
    return _form(desk.Draft())


def edit(broadcast_id: int) -> Any:
    b = _guard(desk.load, db(), user(), broadcast_id)
    if not desk.editable(b):
        flash(f"群发 #{b.id} {control.status_name(b.status)}，不能再修改", "error")
        return redirect(url_for("console.broadcast", broadcast_id=b.id))
    if request.method == "POST":
        return _save(b.id)
    return _form(desk.Draft.of(b), b.id)


def audience() -> Any:
    """The fragment under the chooser: the count and the phone preview (htmx, on every change)."""
    me, s = user(), db()
    draft = _draft(request.args)
    return render_template("console/_broadcast_audience.html", counts=_guard(desk.audience, s, me, draft),
                           **_phone(draft, me.username))


def show(broadcast_id: int) -> Any:
    me, s = user(), db()
    b = _guard(desk.load, s, me, broadcast_id)
    return render_template("console/broadcast.html", b=b, p=desk.progress(s, me, b, current().now()),
                           audience_name=desk.describe(s, b.targets), editable=desk.editable(b),
                           **_phone(desk.Draft.of(b), b.author))


def progress_fragment(broadcast_id: int) -> Any:
    """The progress bar alone, polled by htmx while the broadcast can change by
    itself. When its state differs from the one the page shows, the buttons are
    swapped too (out of band), so pause turns into resume without a reload.
    `expected` is the audience the page counted when it opened: polls carry it
    rather than counting the whole audience again each time."""
    me, s = user(), db()
    b = _guard(desk.load, s, me, broadcast_id)
    raw = request.args.get("expected", "")
    expected = int(raw) if raw.isdigit() and len(raw) < 10 else None
    p = desk.progress(s, me, b, current().now(), expected)
    changed = request.args.get("shown", "") != b.status
    return render_template("console/_broadcast_progress.html", b=b, p=p, oob=changed, editable=desk.editable(b))


def act(broadcast_id: int, action: str) -> Any:
    me, s, ext = user(), db(), current()
    if action not in control.ACTIONS:
        abort(404)
    back = redirect(url_for("console.broadcast", broadcast_id=broadcast_id))
    try:
        if action == "cancel" and request.form.get("confirm") != "yes":
            raise BroadcastError("请先勾选“我确认”，再点取消")
        b, restart = _guard(desk.act, s, me, broadcast_id, action, ext.now())
    except BroadcastError as exc:
        s.rollback()
        flash(str(exc), "error")
        return back
    _audit(f"broadcast.{action}", b.id, control.status_name(b.status))
    commit(ext, s, _start(restart, b.id))
    flash(f"群发 #{b.id} {ACTED[action]}", "ok")
    return back


def report_page(broadcast_id: int) -> Any:
    me, s = user(), db()
    b = _guard(desk.load, s, me, broadcast_id)
    status = request.args.get("status", "")
    status = status if status in DELIVERY_STATUSES else None
    number = _page_number()
    lines, total = report.page(s, me, b, status, number)
    return render_template("console/broadcast_report.html", b=b, lines=lines, total=total, number=number,
                           last=max(1, -(-total // 50)), status=status, statuses=report.STATUS_NAMES)


def download(broadcast_id: int) -> Any:
    """The report as .xlsx; recipients masked as on the page. Every download is on record."""
    me, s, ext = user(), db(), current()
    b = _guard(desk.load, s, me, broadcast_id)
    data, count = report.workbook(s, me, b, ext.now())
    _audit("export.broadcast_report", b.id, f"{count} 行")
    s.commit()
    name = f"broadcast-{b.id}-report.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
