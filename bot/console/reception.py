"""The reception calendar in the console (admin and staff): the month of every
site's reception days, one reception's page (move, cancel, attendance,
bookings), the print-friendly bookings list, the sites' rules, next year's
holidays and the printed notices. Each POST calls one service, audits, commits
(pushes through bot/jobs/commit.py) and redirects with a Chinese flash."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for

from ..extensions import current
from ..jobs.commit import commit
from ..services.accounts import Forbidden, access, audit
from ..services.calendar import holidays
from ..services.outcome import Outcome
from ..services.reception import attendance, month, notice, reminders, rules
from ..services.reception.calendar import Occurrence, ReceptionError, beijing_today, describe_day, find
from ..services.roster.voters import village_name
from .auth import client_address, db, user

MAX_NOTE = 200
MAX_HOLIDAY_TEXT = 4000


def _staff() -> Any:
    me = user()
    try:
        access.require(me, "admin", "staff")
    except Forbidden as exc:
        abort(403, description=str(exc))
    return me


def _today() -> date:
    return beijing_today(current().now())


def _reception(site: str, nominal: str) -> Occurrence:
    try:
        _, occ = find(db(), site[:32], date.fromisoformat(nominal[:10]))
    except (ValueError, LookupError):
        abort(404, description="没有这次接待")
    return occ


def _booked(rows: list[Any]) -> list[dict[str, Any]]:
    # Full names, as the CLI and the duty deputies' "预约名单" show them: the list is for calling people in.
    return [{"number": b.number, "name": b.voter.name or "群众", "village": village_name(b.voter.village)}
            for b in rows]


def _audit(me: Any, action: str, target: str, detail: str = "") -> None:
    audit.record(db(), actor=me.username, action=action, target=target, detail=detail[:500],
                 address=client_address(), now=current().now())


def month_page() -> Any:
    _staff()
    year, month_no = month.parse_month(request.args.get("month"), _today())
    shown = month.month(db(), year, month_no)
    return render_template("console/reception_month.html", m=shown, today=_today(),
                           this_month=f"{year}-{month_no:02d}")


def day_page(site: str, nominal: str) -> Any:
    _staff()
    s = db()
    occ = _reception(site, nominal)
    rows, marks = [], []
    if occ.reception_id is not None:
        rows = reminders.bookings(s, occ.reception_id)
    if not occ.cancelled and occ.date <= _today():
        marks = attendance.duties(s, occ)
        s.commit()  # the duty roster, stored the first time it is marked
    booked = _booked(rows)
    return render_template("console/reception_day.html", occ=occ, booked=booked, marks=marks, today=_today(),
                           day=describe_day(occ.date), nominal=occ.nominal.isoformat())


def print_bookings(site: str, nominal: str) -> Any:
    me, s = _staff(), db()
    occ = _reception(site, nominal)
    rows = reminders.bookings(s, occ.reception_id) if occ.reception_id is not None else []
    booked = _booked(rows)
    _audit(me, "reception.print_bookings", f"{occ.site_code}:{occ.nominal}", f"{len(booked)} 人")
    s.commit()
    return render_template("console/reception_print.html", occ=occ, booked=booked, day=describe_day(occ.date),
                           blank=max(4, 12 - len(booked)))


def act(site: str, nominal: str, action: str) -> Any:
    me, s, ext = _staff(), db(), current()
    if action not in ("move", "cancel", "attendance"):
        abort(404)
    occ = _reception(site, nominal)
    back = redirect(url_for("console.reception_day", site=occ.site_code, nominal=occ.nominal.isoformat()))
    target = f"{occ.site_code}:{occ.nominal}"
    try:
        if action == "attendance":
            present = {int(x) for x in request.form.getlist("present") if x.isdigit()}
            changed = attendance.mark(s, occ, present, by=me.username, now=ext.now(), today=_today())
            _audit(me, "reception.attendance", target, f"出席 {len(present)} 人")
            commit(ext, s, Outcome())
            flash(f"已登记出席（{len(present)} 人到场）" if changed else "出席情况没有变化", "ok")
            return back
        if request.form.get("confirm") != "yes":
            raise ReceptionError("请先勾选“我确认”，再点按钮")
        note = request.form.get("note", "").strip()[:MAX_NOTE]
        to = None
        if action == "move":
            try:
                to = date.fromisoformat(request.form.get("to", "").strip())
            except ValueError:
                raise ReceptionError("请选择新的日期") from None
        rec, ids = reminders.change(s, occ.site_code, occ.nominal, to=to, by=me.username, note=note, now=ext.now())
    except ReceptionError as exc:
        s.rollback()
        flash(str(exc), "error")
        return back
    done = "已取消" if to is None else f"已改到{describe_day(to)}"
    _audit(me, f"reception.{action}", target, (f"改到 {to}" if to else "取消") + (f"；附言 {len(note)} 字" if note else ""))
    commit(ext, s, Outcome(push_ids=ids))
    flash(f"{occ.site_name}原定{describe_day(occ.nominal)}的接待{done}；"
          f"已给收到过提醒或已预约的 {len(ids)} 人发变更通知", "ok")
    return back


def rules_page() -> Any:
    _staff()
    return render_template("console/reception_rules.html", sites=rules.listing(db()), policies=rules.POLICIES)


def save_rule(site: str) -> Any:
    me, s = _staff(), db()
    back = redirect(url_for("console.reception_rules") + f"#rule-{site[:32]}")
    try:
        found = rules.site(s, site[:32])
    except LookupError:
        abort(404, description="没有这个站点")
    form = request.form
    changes = {key: form.get(key, "")[:MAX_NOTE] for key in rules.FIELDS if key != "active"}
    changes["active"] = form.get("active") == "yes"
    try:
        rule = rules.update(s, found, changes)
    except ReceptionError as exc:
        s.rollback()
        flash(f"{found.name}：{exc}", "error")
        return back
    line = rules.describe(rule, found)
    _audit(me, "reception.rule", found.code, line)
    s.commit()
    flash(f"已保存。{line}", "ok")
    return back


def _year() -> int:
    raw = request.values.get("year", "").strip()
    return int(raw) if raw.isdigit() and len(raw) == 4 else _today().year + 1


def holidays_page(problems: list[str] | None = None, text: str = "", status: int = 200) -> Any:
    _staff()
    year = _year()
    return render_template("console/reception_holidays.html", year=year, today=_today(),
                           entered=holidays.staff_days(db(), year), known=holidays.package_knows(year),
                           problems=problems or [], text=text, kinds=holidays.KIND_NAMES,
                           example=holidays.EXAMPLE), status


def holidays_save() -> Any:
    me, s = _staff(), db()
    year, text = _year(), request.form.get("text", "")[:MAX_HOLIDAY_TEXT]
    try:
        days = holidays.enter(s, year, text, _today())
    except holidays.HolidayEntryError as exc:
        s.rollback()
        return holidays_page(exc.problems, text, 422)
    off = sum(1 for _, kind, _ in days if kind == "holiday")
    _audit(me, "reception.holidays", str(year), f"放假 {off} 天，调休上班 {len(days) - off} 天")
    s.commit()
    flash(f"已录入 {year} 年：放假 {off} 天，调休上班 {len(days) - off} 天", "ok")
    return redirect(url_for("console.reception_holidays", year=year))


def holidays_remove() -> Any:
    me, s = _staff(), db()
    try:
        day = date.fromisoformat(request.form.get("day", "").strip())
    except ValueError:
        abort(400)
    if holidays.remove(s, day):
        _audit(me, "reception.holidays", str(day.year), f"删除 {day}")
        s.commit()
        flash(f"已删除 {day} 的录入", "ok")
    return redirect(url_for("console.reception_holidays", year=day.year))


def _pdf(items: list[notice.Page]) -> Any:
    ext = current()
    body = notice.render(items, f"{notice.township_name(db())}人大主席团", _today(), ext.sandbox)
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{notice.file_name(items)}"'})


def _site_qr(by: str) -> Any:
    """What a site's QR code encodes: its issued scene (issued now if it has none), as
    `liaison qr posters` prints it; in production WeChat's permanent code, requested once and kept."""
    from ..services.roster import codes, qr

    ext, s = current(), db()
    create = None if ext.sandbox else ext.api.create_qr

    def content(site_id: int) -> str:
        issued = codes.ensure(s, "site", site_id, ext.now(), by)
        return qr.content_for(s, codes.scene_for("site", issued.scene_key or ""), create)

    return content


def notices(site: str | None = None, nominal: str | None = None) -> Any:
    """Every site's notice for a month (one page each), or one reception's."""
    me, s = _staff(), db()
    if site is not None and nominal is not None:
        occs = [_reception(site, nominal)]
    else:
        year, month_no = month.parse_month(request.args.get("month"), _today())
        occs = notice.for_month(s, year, month_no)
    items = notice.pages(occs, _site_qr(f"console:{me.username}"))
    if not items:
        flash("这个月没有要张贴公告的接待（都已取消或站点停用）", "error")
        return redirect(url_for("console.reception", month=request.args.get("month", "")))
    _audit(me, "reception.notice", ",".join(p.occ.site_code for p in items), f"{len(items)} 页")
    s.commit()  # a site's QR code issued for its first notice
    return _pdf(items)


def notice_one(site: str, nominal: str) -> Any:
    return notices(site, nominal)
