"""The duty record (履职档案) in the console: the station report (every deputy
against the ten "十个一" items, behind highlighted, by site, as .xlsx), one
deputy's year (items, due dates, activities with where each came from), and
the staff's entry form (one activity for one deputy or many at one event).

Who may see or enter what is services/duty/desk.py; the rules are
services/duty/compliance.py; entries go through services/duty/activities.record.
Each POST audits and commits once, then redirects with a Chinese flash."""
from __future__ import annotations

import io
import secrets
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from ..extensions import current
from ..jobs.commit import commit
from ..models import Deputy, Site
from ..services.accounts import Forbidden, audit
from ..services.calendar.local_time import BEIJING
from ..services.duty import compliance, desk, station_sheet
from ..services.duty import sites as duty_sites
from ..services.duty.activities import MAX_NOTE, MAX_PEOPLE, MAX_PLACE, DutyError
from ..services.duty.compliance import CADENCE_NAMES
from ..services.duty.items import ITEMS, KIND_NAMES, SHORT_NAMES
from ..services.outcome import Outcome
from .auth import client_address, db, user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _today() -> date:
    return current().now().astimezone(BEIJING).date()


def _year() -> int:
    raw = request.args.get("year", "").strip()
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else _today().year


def _staff() -> Any:
    me = user()
    try:
        desk.require_staff(me)
    except Forbidden as exc:
        abort(403, description=str(exc))
    return me


def _sites() -> tuple[list[Site], dict[int, Site]]:
    """The sites, and deputy id -> the site whose pool they are in (the reception rota's rule)."""
    return duty_sites.of_deputies(db())


def _scoped(rows: list[compliance.DeputyYear], of: dict[int, Site], site: str) -> list[compliance.DeputyYear]:
    return [r for r in rows if of.get(r.deputy_id) is not None and of[r.deputy_id].code == site] if site else rows


def station() -> Any:
    me = user()
    if not desk.sees_all(me):
        code = desk.own_code(db(), me)  # a deputy's account goes to their own record
        if code is None:
            abort(403, description="没有权限：履职情况表需要管理员或工作人员账号")
        return redirect(url_for("console.duty_deputy", code=code))
    year, today = _year(), _today()
    sites, of = _sites()
    site = request.args.get("site", "").strip()[:32]
    only_behind = request.args.get("behind") == "1"
    rows = _scoped(compliance.report(db(), year, today), of, site)
    shown = [r for r in rows if r.behind] if only_behind else rows
    return render_template("console/duty_station.html", rows=shown, total=len(rows),
                           behind=sum(1 for r in rows if r.behind), year=year, as_of=today, items=ITEMS,
                           short=SHORT_NAMES, sites=sites, site=site, only_behind=only_behind,
                           site_of={d: x.name for d, x in of.items()})


def station_xlsx() -> Any:
    me, s, ext = _staff(), db(), current()
    year, today = _year(), _today()
    sites, of = _sites()
    site = request.args.get("site", "").strip()[:32]
    rows = _scoped(compliance.report(s, year, today), of, site)
    scope = next((x.name for x in sites if x.code == site), "全部在职代表")
    data = station_sheet.write(rows, station=desk.station_name(s), year=year, as_of=today,
                               sites={d: x.name for d, x in of.items()}, scope=scope, now=ext.now())
    audit.record(s, actor=me.username, action="export.duty_report", target=f"{year}年 {scope}",
                 detail=f"{len(rows)} 位代表，落后 {sum(1 for r in rows if r.behind)} 位", address=client_address(),
                 now=ext.now())
    s.commit()
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"履职情况-{year}-{today:%Y%m%d}.xlsx")


def deputy_page(code: str) -> Any:
    me, s = user(), db()
    try:
        found = desk.deputy_for(s, me, code[:32])
    except Forbidden as exc:
        abort(403, description=str(exc))
    except DutyError as exc:
        abort(404, description=str(exc))
    year, today = _year(), _today()
    _, of = _sites()
    standing = compliance.one(s, found, year, today)
    shown = desk.lines(s, found, year)
    desk.audit_view(s, actor=me.username, deputy=found, year=year, shown=len(shown), address=client_address(),
                    now=current().now())
    s.commit()
    return render_template("console/duty_deputy.html", d=found, standing=standing, year=year, as_of=today,
                           lines=shown, site=of.get(found.id), cadence=CADENCE_NAMES, staff=desk.sees_all(me))


def _choices() -> list[dict[str, Any]]:
    """The entry form's deputies, grouped by site."""
    sites, of = _sites()
    deputies = db().scalars(select(Deputy).where(Deputy.active.is_(True)).order_by(Deputy.code))
    groups = {x.id: {"code": x.code, "name": x.name, "deputies": []} for x in sites}
    for d in deputies:
        site = of.get(d.id)
        if site is not None:
            groups[site.id]["deputies"].append(d)
    return [g for g in groups.values() if g["deputies"]]


def _form(values: dict[str, Any], chosen: set[str], token: str, status: int = 200) -> Any:
    kinds = [(k, KIND_NAMES[k]) for k in desk.ENTRY_KINDS]
    return render_template("console/duty_entry.html", values=values, chosen=chosen, token=token, kinds=kinds,
                           groups=_choices(), today=_today(),
                           limits={"place": MAX_PLACE, "people": MAX_PEOPLE, "note": MAX_NOTE}), status


def entry() -> Any:
    me, s, ext = _staff(), db(), current()
    if request.method == "GET":
        wanted = request.args.get("deputy", "").strip()[:32]
        kind = request.args.get("kind", "")
        return _form({"kind": kind if kind in desk.ENTRY_KINDS else "", "day": _today().isoformat()},
                     {wanted} if wanted else set(), secrets.token_hex(8))
    form = request.form
    values = {name: form.get(name, "").strip() for name in ("kind", "day", "place", "people", "note", "site")}
    chosen = {c.strip()[:32] for c in form.getlist("deputy") if c.strip()}
    token = "".join(c for c in form.get("token", "") if c.isalnum())[:32]
    codes = set(chosen)
    if values["site"]:  # every deputy of one site, besides those ticked
        codes |= {d.code for g in _choices() if g["code"] == values["site"] for d in g["deputies"]}
    try:
        try:
            day = date.fromisoformat(values["day"])
        except ValueError:
            raise DutyError("请填写活动日期") from None
        rows = desk.enter(s, me, codes=sorted(codes), kind=values["kind"], day=day, now=ext.now(),
                          place=values["place"], people=values["people"], note=values["note"], token=token)
    except DutyError as exc:
        s.rollback()
        flash(str(exc), "error")
        return _form(values, chosen, token or secrets.token_hex(8), 400)
    name = KIND_NAMES[values["kind"]]
    audit.record(s, actor=me.username, action="duty.add", target=f"{name} {day.isoformat()}",
                 detail=(f"{len(rows)} 位代表：" + "、".join(sorted(codes)))[:500], address=client_address(),
                 now=ext.now())
    commit(ext, s, Outcome())
    flash(f"已录入 {len(rows)} 位代表的“{name}”（{day.month}月{day.day}日）", "ok")
    if len(rows) == 1:
        return redirect(url_for("console.duty_deputy", code=rows[0].deputy.code, year=day.year))
    return redirect(url_for("console.duty", year=day.year))
