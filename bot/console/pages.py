"""The console's pages. Each asks services/accounts who may see what and
services/tickets/board what there is; nothing here decides either."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import abort, render_template, request

from ..extensions import current
from ..models import TICKET_STATUSES
from ..services.accounts import Forbidden, access, audit
from ..services.accounts.errors import ROLE_NAMES
from ..services.calendar.local_time import BEIJING
from ..services.duty import formal
from ..services.roster import report
from ..services.roster.voters import display_name, village_name
from ..services.station import Station
from ..services.tickets import board, board_figures, media, station_desk
from ..services.tickets.classify import categories
from .auth import allowed, client_address, db, ticket_or_404, user
from .labels import AUDIT_ACTIONS, status_name

PER_PAGE = 30


def _series(pairs: list[tuple[str, Any]]) -> dict[str, list[Any]]:
    return {"labels": [label for label, _ in pairs], "values": [value for _, value in pairs]}


def dashboard() -> Any:
    me, s, ext = user(), db(), current()
    where, now = access.visible(me), ext.now()
    counts = board.counts(s, where, now=now, station=Station.from_settings(ext.settings))
    categories = board.by_category(s, where)
    months = board.by_month(s, where, now=now)
    villages = board_figures.by_village(s, where)
    durations = board_figures.durations(s, where, now=now)
    ratings = board_figures.satisfaction(s, where, deputy_id=access.own_deputy(me))
    health = report.problem_counts(s) if allowed(me, "admin", "staff") else None
    charts = {"categories": _series(categories), "months": _series(months), "villages": _series(villages),
              "ratings": _series([(r.deputy, r.average) for r in ratings])}
    return render_template("console/dashboard.html", counts=counts, categories=categories, months=months,
                           villages=villages, durations=durations, ratings=ratings, health=health, charts=charts)


def _int(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    return int(raw) if raw.isdigit() else None


def _date(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, "").strip())
    except ValueError:
        return None


# The query keys _filters reads: the only ones a link to the Excel download carries.
FILTER_KEYS = ("status", "category", "village", "deputy", "site", "since", "until", "urgent", "overdue", "q")


def filter_args() -> dict[str, str]:
    return {k: v for k in FILTER_KEYS if (v := request.args.get(k, ""))}


def _filters() -> board.Filters:
    urgent = {"1": True, "0": False}.get(request.args.get("urgent", ""))
    status = request.args.get("status", "").strip()
    return board.Filters(status=status if status in TICKET_STATUSES else None,
                         category=request.args.get("category", "").strip()[:100] or None,
                         village_id=_int("village"), deputy_id=_int("deputy"), since=_date("since"),
                         until=_date("until"), urgent=urgent, text=request.args.get("q", "").strip()[:100] or None,
                         site_id=_int("site"), overdue={"1": True, "0": False}.get(request.args.get("overdue", "")))


def _pages(page: int, total: int, per_page: int) -> dict[str, Any]:
    last = max(1, -(-total // per_page))
    args = {k: v for k, v in request.args.items() if k != "page" and v}

    def link(n: int) -> str:
        return "?" + urlencode({**args, "page": n})

    return {"page": page, "last": last, "total": total, "prev": link(page - 1) if page > 1 else None,
            "next": link(page + 1) if page < last else None}


def tickets() -> Any:
    me, s, ext = user(), db(), current()
    where = access.visible(me)
    filters = _filters()
    page = _int("page") or 1
    rows, total = board.search(s, where, filters, page=page, per_page=PER_PAGE, now=ext.now(),
                               station=Station.from_settings(ext.settings))
    items = [{"number": t.number, "status": status_name(t.status), "category": t.category, "urgent": t.urgent,
              "village": village_name(t.village), "deputy": t.deputy.name if t.deputy else "待分派",
              "text": t.text, "created_at": t.created_at} for t in rows]
    return render_template("console/tickets.html", items=items, filters=filters, pages=_pages(page, total, PER_PAGE),
                           choices=board.choices(s, where), export_args=filter_args(),
                           statuses=[(code, status_name(code)) for code in TICKET_STATUSES])


def ticket(number: str) -> Any:
    me, s, ext = user(), db(), current()
    now, address = ext.now(), client_address()
    found = ticket_or_404(number)
    shown = board.detail(s, found)
    voter = found.voter
    personal = None
    if allowed(me, "admin", "staff") and voter is not None:
        personal = {"name": voter.name or "", "openid": voter.openid or "", "phone": ext.phones.open(voter.phone_enc)
                    or ""}
    audit.record(s, actor=me.username, action="ticket.view", target=found.number, address=address, now=now)
    if personal is not None and (personal["openid"] or personal["phone"]):
        audit.record(s, actor=me.username, action="voter.view_personal", target=found.number,
                     detail=f"选民 #{voter.id}：微信 OpenID" + ("、手机号" if personal["phone"] else ""),
                     address=address, now=now)
    s.commit()
    may = {action: access.can(me, action, found) for action in access.DESK_ACTIONS}
    forms = {"categories": categories() if may["reclassify"] else (),
             "deputies": board.assignable(s) if may["assign"] else [],
             "offices": Station.from_settings(ext.settings).offices if may["transfer"] else ()}
    # The staff answer a ticket no deputy holds themselves, as "联络站" (services/tickets/station_desk.py).
    by_station = allowed(me, "admin", "staff") and station_desk.held_by_station(found)
    # An escalated suggestion staff may mark formal (services/duty/formal.py); None: none, or not theirs to mark.
    suggestion = formal.state(s, found) if allowed(me, "admin", "staff") else None
    return render_template("console/ticket.html", t=found, shown=shown, personal=personal, may=may, forms=forms,
                           by_station=by_station, suggestion=suggestion,
                           media=media.saved(s, found),
                           voter_label=display_name(voter.name if voter else None), village=village_name(found.village))


def audit_page() -> Any:
    me, s = user(), db()
    try:
        access.require(me, "admin")
    except Forbidden as exc:
        abort(403, description=str(exc))
    since, until = _date("since"), _date("until")
    page = _int("page") or 1
    args = {"actor": request.args.get("actor", "").strip()[:64] or None,
            "action": request.args.get("action", "").strip()[:64] or None,
            "target": request.args.get("target", "").strip()[:255] or None}
    rows, total = audit.search(s, **args, since=_day_start(since), until=_day_start(until, 1), page=page,
                               per_page=50)
    return render_template("console/audit.html", rows=rows, pages=_pages(page, total, 50), args=args,
                           since=since, until=until, actions=AUDIT_ACTIONS, role_names=ROLE_NAMES)


def _day_start(day: date | None, plus: int = 0) -> datetime | None:
    return datetime.combine(day + timedelta(days=plus), time.min, tzinfo=BEIJING) if day else None
