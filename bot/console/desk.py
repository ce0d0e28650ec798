"""The ticket desk in the console: one POST per action, and the triage page.

Each action asks services/accounts whether this user may take it, calls one
service function (the same one the WeChat command or the CLI uses), audits it,
commits through bot/jobs/commit.py so its pushes go out as they would from
WeChat, and redirects back to the ticket page. Refusals come back as Chinese
flash messages."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for

from ..extensions import current
from ..jobs.commit import commit
from ..models import Role, Ticket
from ..services import texts
from ..services.accounts import Forbidden, NotFound, access, audit
from ..services.outcome import Outcome
from ..services.station import Station
from ..services.tickets import board, desk, duplicates, lifecycle, records, station_desk, triage
from .auth import client_address, db, ticket_or_404, user
from .labels import ACTION_NAMES

# Every field a clerk types is cut to this; a reply longer than this is a letter, not a WeChat message.
MAX_TEXT = 1000


class Refused(Exception):
    """An action the services turned down; the message is for the clerk."""


def _text(name: str = "text") -> str:
    return request.form.get(name, "").strip()[:MAX_TEXT]


def _confirmed() -> None:
    """Dangerous actions carry a required "I confirm" checkbox; without it, nothing happens."""
    if request.form.get("confirm") != "yes":
        raise Refused("请先勾选“我确认”，再点按钮")


def _needs(value: str, what: str) -> str:
    if not value:
        raise Refused(f"请填写{what}")
    return value


# Each returns (outcome to commit, message for the clerk, detail for the audit log).
Done = tuple[Outcome, str, str]


def _said(text: str) -> str:
    """What the audit log keeps of a reply, note or reason: its length, never its words
    (they may quote the voter; the ticket's own history holds them, and an erase clears it)."""
    return f"文字 {len(text)} 字"


def _reclassify(me: Any, t: Ticket, now: datetime, station: Station) -> Done:
    before, category = t.category, _needs(request.form.get("category", "").strip(), "分类")
    triage.correct(db(), t, category, me.username, now)
    return Outcome(ticket_id=t.id), f"分类已改为“{category}”，已保存为训练样本", f"{before} → {category}"


def _assign(me: Any, t: Ticket, now: datetime, station: Station) -> Done:
    code = _needs(request.form.get("deputy", "").strip(), "代表")
    push = triage.assign(db(), t, code, me.username, now, reassign=True)
    name = t.deputy.name
    return (Outcome(ticket_id=t.id).add_pushes([push]),
            f"已分派给 {name} 代表" + ("，代表会收到微信推送" if push else ""), f"{code} {name}")


def _reject(me: Any, t: Ticket, now: datetime, station: Station) -> Done:
    reason = _needs(_text("reason"), "退回原因")
    _confirmed()
    pushes = lifecycle.reject(db(), t, reason, me.username, now)
    return Outcome(ticket_id=t.id).add_pushes(pushes), "已退回，群众会收到原因", _said(reason)


def _note(me: Any, t: Ticket, now: datetime, station: Station) -> Done:
    text = _needs(_text(), "备注内容")
    records.note(db(), t, access.actor(me), now, text)
    return Outcome(ticket_id=t.id), "内部备注已保存（群众看不到）", _said(text)


def _merge(me: Any, t: Ticket, now: datetime, station: Station) -> Done:
    number = _needs(request.form.get("primary", "").strip()[:32], "要合并到的工单编号")
    _confirmed()
    try:
        primary = access.ticket_for(db(), me, number, address=client_address(), now=now)
    except NotFound as exc:
        raise Refused(str(exc)) from None
    pushes = duplicates.merge(db(), t, primary, me.username, now)
    return Outcome(ticket_id=t.id).add_pushes(pushes), f"已合并到 {primary.number}", primary.number


def _desk_move(action: str) -> Callable[[Any, Ticket, datetime, Station], Done]:
    """accept, reply, resolve, transfer, escalate: the deputy's own WeChat moves."""

    def run(me: Any, t: Ticket, now: datetime, station: Station) -> Done:
        arg = _text("office" if action == "transfer" else "text")
        if action in station_desk.MOVES and me.role != Role.DEPUTY and station_desk.held_by_station(t):
            try:  # no deputy holds it: the staff answer the voter as "联络站"
                result = station_desk.take(db(), me, t, action, arg, now, station)
            except Forbidden as exc:
                raise Refused(str(exc)) from None
        else:
            deputy = me.deputy if me.role == Role.DEPUTY else None
            result = desk.take(db(), t, action, arg, now, station, deputy=deputy, actor=access.actor(me))
        if not result.moved:
            raise Refused(result.outcome.reply or "没有办成")
        return result.outcome, DONE[action], arg if action == "transfer" else _said(arg)

    return run


DONE = {"accept": "已受理，已告知群众", "reply": "答复已发给群众", "resolve": "已办结，已请群众评价",
        "transfer": "已转办，已告知群众", "escalate": "已上报，已告知群众"}
ACTIONS: dict[str, Callable[[Any, Ticket, datetime, Station], Done]] = {
    "reclassify": _reclassify, "assign": _assign, "reject": _reject, "note": _note, "merge": _merge,
    **{name: _desk_move(name) for name in DONE}}


def act(number: str, action: str) -> Any:
    me, s, ext = user(), db(), current()
    if action not in ACTIONS:
        abort(404)
    now, address = ext.now(), client_address()
    found = ticket_or_404(number)
    back = redirect(url_for("console.ticket", number=found.number))
    name = ACTION_NAMES[action]
    if not access.can(me, action, found):
        s.rollback()
        audit.record(s, actor=me.username, action="ticket.refused", target=found.number,
                     detail=f"{name}：账号无权操作", address=address, now=now)
        s.commit()
        abort(403, description=f"没有权限：您的账号不能对这件工单做“{name}”")
    station = Station.from_settings(ext.settings)
    try:
        outcome, message, detail = ACTIONS[action](me, found, now, station)
    except lifecycle.NotAllowed as exc:
        s.rollback()
        status = texts.STATUS_NAMES.get(exc.ticket.status, exc.ticket.status)
        flash(f"{found.number} 目前是“{status}”，不能{name}", "error")
        return back
    except (Refused, triage.TriageError, duplicates.MergeError) as exc:
        s.rollback()
        flash(str(exc), "error")
        return back
    audit.record(s, actor=me.username, action=f"ticket.{action}", target=found.number, detail=detail[:500],
                 address=address, now=now)
    commit(ext, s, outcome)
    flash(message, "ok")
    return back


def triage_page() -> Any:
    me, s = user(), db()
    try:
        access.require(me, "admin", "staff")
    except Forbidden as exc:
        abort(403, description=str(exc))
    return render_template("console/triage.html", queue=board.triage_queue(s, access.visible(me)))
