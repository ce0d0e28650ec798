"""The yearly evaluation in the console (admin and staff): open and close the
voters' poll, enter the self-assessment (on the deputy's behalf) and the
organisation's assessment, see every deputy's three parts and total (the poll
only as counts, once it is closed and from 5 ballots up), download the .docx sheet and .xlsx summary.
Each POST calls one service in services/duty, audits, commits (the poll's
invitations go out after the commit) and redirects with a Chinese flash."""
from __future__ import annotations

import io
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for

from ..extensions import current
from ..jobs.commit import commit
from ..services.accounts import Forbidden, access, audit
from ..services.calendar.local_time import BEIJING
from ..services.duty import evaluation, poll
from ..services.duty import sheet as sheets
from ..services.duty import summary as summaries
from ..services.duty.activities import DutyError, deputy_by_code
from ..services.tickets.forms import station_name
from .auth import client_address, db, user

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _staff() -> Any:
    me = user()
    try:
        access.require(me, "admin", "staff")
    except Forbidden as exc:
        abort(403, description=str(exc))
    return me


def _year() -> int:
    raw = (request.values.get("year") or "").strip()
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return current().now().astimezone(BEIJING).year


def page() -> Any:
    _staff()
    s, ext, year = db(), current(), _year()
    rows = evaluation.station(s, year, ext.settings["DUTY_WEIGHTS"])
    return render_template("console/duty_evaluation.html", year=year, rows=rows, state=poll.stats(s, year),
                           held=poll.poll_of(s, year),
                           weights=ext.settings["DUTY_WEIGHTS"], names=evaluation.PART_NAMES,
                           grades=list(evaluation.GRADE_POINTS), floor=poll.MIN_VOTES)


def poll_act(action: str) -> Any:
    me, s, ext, year = _staff(), db(), current(), _year()
    if action not in ("open", "close"):
        abort(404)
    now = ext.now()
    back = redirect(url_for("console.duty_evaluation", year=year))
    try:
        if action == "open":
            _, outcome, sent = poll.open_poll(s, year, me.username, now)
            said = (f"{year}年度选民测评已开始，已向 {len(outcome.push_ids)} 位选民发出邀请" if sent
                    else f"{year}年度选民测评已重新开始（已邀请过的选民不再重复邀请）")
        else:
            poll.close_poll(s, year, me.username, now)
            outcome, said = None, f"{year}年度选民测评已结束，之后的评价不再收取"
    except DutyError as exc:
        s.rollback()
        flash(str(exc), "error")
        return back
    audit.record(s, actor=me.username, action=f"duty.poll_{action}", target=f"{year}年度",
                 detail=f"邀请 {len(outcome.push_ids)} 人" if outcome else "", address=client_address(), now=now)
    commit(ext, s, outcome)
    flash(said, "ok")
    return back


def assess() -> Any:
    me, s, ext, year = _staff(), db(), current(), _year()
    part = request.form.get("part", "")
    if part not in ("self", "org"):
        abort(400, description="请选择录入自评还是组织评定")
    now = ext.now()
    back = redirect(url_for("console.duty_evaluation", year=year))
    try:
        deputy = deputy_by_code(s, request.form.get("deputy", "")[:32])
        evaluation.assess(s, deputy, year, part, score=request.form.get("score", "")[:8],
                          grade=request.form.get("grade", "")[:8], text=request.form.get("text", "")[:2000],
                          by=me.username, now=now)
    except DutyError as exc:
        s.rollback()
        flash(str(exc), "error")
        return back
    name = evaluation.PART_NAMES[part]
    audit.record(s, actor=me.username, action=f"duty.evaluate_{part}", target=f"{deputy.code} {year}年度",
                 detail="代代表录入" if part == "self" else "", address=client_address(), now=now)
    s.commit()
    flash(f"已保存 {deputy.name} 的{year}年度{name}", "ok")
    return back


def sheet(code: str) -> Any:
    me, s, ext, year = _staff(), db(), current(), _year()
    try:
        deputy = deputy_by_code(s, code[:32])
    except DutyError as exc:
        abort(404, description=str(exc))
    now = ext.now()
    data = sheets.write(s, deputy, year, ext.settings["DUTY_WEIGHTS"], station=station_name(s), now=now)
    audit.record(s, actor=me.username, action="export.duty_sheet", target=f"{deputy.code} {year}年度",
                 address=client_address(), now=now)
    s.commit()
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=f"履职考评表-{year}-{deputy.code}.docx")


def summary() -> Any:
    me, s, ext, year = _staff(), db(), current(), _year()
    now = ext.now()
    data = summaries.write(s, year, ext.settings["DUTY_WEIGHTS"], station=station_name(s), now=now)
    audit.record(s, actor=me.username, action="export.duty_summary", target=f"{year}年度",
                 address=client_address(), now=now)
    s.commit()
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=f"履职考评汇总-{year}.xlsx")
