"""The reception calendar in the console (admin and staff): the month of every
site's reception days, one reception's page (move, cancel, attendance,
bookings), the print-friendly bookings list, the sites' rules, next year's
holidays, the printed notices and the sites' QR codes. Every call goes through
services/reception_desk, which checks the account's role and audits; each POST
commits (pushes through bot/jobs/commit.py) and redirects with a Chinese flash.
GETs store nothing but the audit record of what was printed."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for

from ..extensions import current
from ..jobs.commit import commit
from ..services.calendar.holidays import EXAMPLE, KIND_NAMES, HolidayEntryError, package_knows
from ..services.outcome import Outcome
from ..services.reception.calendar import Occurrence, ReceptionError, beijing_today, describe_day
from ..services.reception.rules import FIELDS, POLICIES
from ..services.reception_desk import days, setup
from ..services.reception_desk import notices as notices_service
from .auth import client_address, db, staff_only

MAX_NOTE = 200
MAX_HOLIDAY_TEXT = 4000


def _today() -> date:
    return beijing_today(current().now())


def _where() -> dict[str, Any]:
    """Who is asking from where, and when: what every audited desk call takes."""
    return {"address": client_address(), "now": current().now()}


def _reception(me: Any, site: str, nominal: str) -> Occurrence:
    try:
        return days.reception(db(), me, site, date.fromisoformat(nominal[:10]))
    except (ValueError, LookupError):
        abort(404, description="没有这次接待")


def month_page() -> Any:
    me, today = staff_only(), _today()
    shown = days.month(db(), me, request.args.get("month"), today)
    return render_template("console/reception_month.html", m=shown, today=today,
                           this_month=f"{shown.year}-{shown.month:02d}",
                           no_code=notices_service.without_code(db(), me, current().sandbox))


def day_page(site: str, nominal: str) -> Any:
    me, today = staff_only(), _today()
    occ = _reception(me, site, nominal)
    shown = days.day(db(), me, occ, today)
    no_code = not occ.cancelled and not notices_service.has_code(db(), me, occ.site_id, current().sandbox)
    return render_template("console/reception_day.html", occ=occ, booked=shown.booked, marks=shown.marks,
                           held=shown.held, today=today, day=describe_day(occ.date), nominal=occ.nominal.isoformat(),
                           no_code=no_code)


def print_bookings(site: str, nominal: str) -> Any:
    me, s = staff_only(), db()
    occ = _reception(me, site, nominal)
    booked = days.bookings_sheet(s, me, occ, **_where())
    s.commit()  # the audit record: the list has full names
    return render_template("console/reception_print.html", occ=occ, booked=booked, day=describe_day(occ.date),
                           blank=max(4, 12 - len(booked)))


def act(site: str, nominal: str, action: str) -> Any:
    me, s, ext = staff_only(), db(), current()
    if action not in ("move", "cancel", "attendance"):
        abort(404)
    occ = _reception(me, site, nominal)
    back = redirect(url_for("console.reception_day", site=occ.site_code, nominal=occ.nominal.isoformat()))
    try:
        if action == "attendance":
            present = {int(x) for x in request.form.getlist("present") if x.isdigit()}
            changed = days.mark_attendance(s, me, occ, present, today=_today(), **_where())
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
        ids = days.change(s, me, occ, to=to, note=note, **_where())
    except ReceptionError as exc:
        s.rollback()
        flash(str(exc), "error")
        return back
    done = "已取消" if to is None else f"已改到{describe_day(to)}"
    commit(ext, s, Outcome(push_ids=ids))
    flash(f"{occ.site_name}原定{describe_day(occ.nominal)}的接待{done}；"
          f"已给收到过提醒或已预约的 {len(ids)} 人发变更通知", "ok")
    return back


def rules_page() -> Any:
    me = staff_only()
    return render_template("console/reception_rules.html", sites=setup.rule_listing(db(), me), policies=POLICIES)


def save_rule(site: str) -> Any:
    me, s = staff_only(), db()
    back = redirect(url_for("console.reception_rules") + f"#rule-{site[:32]}")
    try:
        found = setup.site(s, me, site)
    except LookupError:
        abort(404, description="没有这个站点")
    form = request.form
    changes = {key: form.get(key, "")[:MAX_NOTE] for key in FIELDS if key != "active"}
    changes["active"] = form.get("active") == "yes"
    try:
        line = setup.save_rule(s, me, found, changes, today=_today(), **_where())
    except ReceptionError as exc:
        s.rollback()
        flash(f"{found.name}：{exc}", "error")
        return back
    s.commit()
    flash(f"已保存。{line}", "ok")
    return back


def _year() -> int:
    raw = request.values.get("year", "").strip()
    return int(raw) if raw.isdigit() and len(raw) == 4 else _today().year + 1


def holidays_page(problems: list[str] | None = None, text: str = "", status: int = 200) -> Any:
    me = staff_only()
    year = _year()
    return render_template("console/reception_holidays.html", year=year, today=_today(),
                           entered=setup.holiday_days(db(), me, year), known=package_knows(year),
                           problems=problems or [], text=text, kinds=KIND_NAMES, example=EXAMPLE), status


def holidays_save() -> Any:
    me, s = staff_only(), db()
    year, text = _year(), request.form.get("text", "")[:MAX_HOLIDAY_TEXT]
    try:
        entered = setup.enter_holidays(s, me, year, text, today=_today(), **_where())
    except HolidayEntryError as exc:
        s.rollback()
        return holidays_page(exc.problems, text, 422)
    s.commit()
    off = sum(1 for _, kind, _ in entered if kind == "holiday")
    flash(f"已录入 {year} 年：放假 {off} 天，调休上班 {len(entered) - off} 天", "ok")
    return redirect(url_for("console.reception_holidays", year=year))


def holidays_remove() -> Any:
    me, s = staff_only(), db()
    try:
        day = date.fromisoformat(request.form.get("day", "").strip())
    except ValueError:
        abort(400)
    back = redirect(url_for("console.reception_holidays", year=day.year))
    try:
        removed = setup.remove_holiday(s, me, day, today=_today(), **_where())
    except HolidayEntryError as exc:
        s.rollback()
        flash(f"没有删除 {day} 的录入。{exc}", "error")
        return back
    if removed:
        s.commit()
        flash(f"已删除 {day} 的录入", "ok")
    return back


def notices(site: str | None = None, nominal: str | None = None) -> Any:
    """Every site's notice for a month (one page each), or one reception's. Never issues a
    QR code (a GET): a site without one gets a note in its place (`issue_codes` issues them)."""
    me, s, ext, today = staff_only(), db(), current(), _today()
    occs = [_reception(me, site, nominal)] if site is not None and nominal is not None else None
    items = notices_service.pages(s, me, occs, request.args.get("month"), today, sandbox=ext.sandbox, **_where())
    if not items:
        flash("这个月没有要张贴公告的接待（都已取消或站点停用）", "error")
        return redirect(url_for("console.reception", month=request.args.get("month", "")))
    body, name = notices_service.render(s, me, items, today, ext.sandbox)
    s.commit()  # the audit record of what was printed
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


def notice_one(site: str, nominal: str) -> Any:
    return notices(site, nominal)


def issue_codes() -> Any:
    """POST: give the sites named (every site, when none is) that have no QR code one."""
    me, s, ext = staff_only(), db(), current()
    wanted = [c for c in request.form.getlist("site") if c]
    done = notices_service.issue_codes(s, me, wanted, create=None if ext.sandbox else ext.api.create_qr,
                                       **_where())
    s.commit()
    flash(f"已为{'、'.join(done)}生成二维码，公告上会印出来" if done else "这些站点都已有二维码", "ok")
    nominal = request.form.get("nominal", "")
    if len(wanted) == 1 and nominal:
        return redirect(url_for("console.reception_day", site=wanted[0][:32], nominal=nominal[:10]))
    return redirect(url_for("console.reception", month=request.form.get("month", "")[:7]))
