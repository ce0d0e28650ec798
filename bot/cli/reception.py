"""`liaison reception`: the calendar of reception days, holidays, one-off
changes, reminders and bookings. Opens sessions, calls services, commits, prints."""
from __future__ import annotations

import json
from datetime import date, datetime

import click
from flask.cli import with_appcontext

from ..extensions import current
from ..handlers import DELIVER_PUSH
from .data import needs_db


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not YYYY-MM-DD") from None


@click.group()
def reception() -> None:
    """接待选民日 Reception days: plan, reminders, changes, holidays."""


@reception.command("plan")
@click.option("--from", "start", required=True, help="First month, YYYY-MM.")
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 60))
@click.option("--site", "sites", multiple=True, help="Only this site (code; repeatable).")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@needs_db
def plan(start: str, months: int, sites: tuple[str, ...], as_json: bool) -> None:
    """Dates, sites, hours, places and deputies on duty."""
    from ..services.reception import Calendar, missing_holiday_years

    try:
        first = datetime.strptime(start, "%Y-%m").date()
    except ValueError:
        raise click.BadParameter(f"{start!r} is not YYYY-MM", param_hint="--from") from None
    with current().Session() as session:
        cal = Calendar(session)
        ids = {s.id for s in cal.sites if s.code in sites} if sites else None
        items = cal.plan(first, months, ids)
    missing = missing_holiday_years(items)
    warnings = [f"{y} 年没有法定节假日数据，接待日未按节假日顺延；请用 `liaison reception holidays add` 录入当年放假安排"
                for y in missing]
    if as_json:
        click.echo(json.dumps({"receptions": [o.as_dict() for o in items], "missing_holiday_years": missing,
                               "warnings": warnings}, ensure_ascii=False))
    else:
        for o in items:
            flag = "（已取消）" if o.cancelled else f"（{o.moved_for}顺延）" if o.moved_for and o.moved_for != "staff" \
                else "（已调整）" if o.moved_for else ""
            click.echo(f"{o.date} 周{'一二三四五六日'[o.date.weekday()]} {o.starts}–{o.ends} {o.site_name}"
                       f"{flag} 值班：{o.names or '无'}")
    for w in warnings:
        click.echo(f"注意：{w}", err=True)


@reception.command("rule")
@click.argument("site")
@click.option("--day", type=click.IntRange(1, 31), help="Day of the month.")
@click.option("--starts", help="HH:MM")
@click.option("--ends", help="HH:MM")
@click.option("--place", help="Where voters are received (default: the site's address).")
@click.option("--capacity", type=click.IntRange(1, 1000), help="Bookings per reception.")
@click.option("--duty", "duty_count", type=click.IntRange(1, 20), help="Deputies on duty per reception.")
@click.option("--policy", type=click.Choice(["next_workday", "previous_workday", "keep"]),
              help="On a statutory holiday (weekends are kept).")
@click.option("--off", is_flag=True, help="The site stops receiving voters on a monthly rhythm.")
@with_appcontext
@needs_db
def rule(site: str, off: bool, **changes) -> None:
    """Show or change SITE's reception rule."""
    import re

    from sqlalchemy import select

    from ..models import Site
    from ..services.reception import rule_for

    for key in ("starts", "ends"):
        if changes[key] and not re.fullmatch(r"[0-2]\d:[0-5]\d", changes[key]):
            raise click.BadParameter(f"{changes[key]!r} is not HH:MM", param_hint=f"--{key}")
    with current().Session() as session:
        found = session.scalar(select(Site).where(Site.code == site))
        if found is None:
            raise click.ClickException(f"no site with code {site!r}")
        r = rule_for(session, found)
        if r.id is None and (off or any(v is not None for v in changes.values())):
            session.add(r)
        for key, value in changes.items():
            if value is not None:
                setattr(r, "day_of_month" if key == "day" else key, value)
        if off:
            r.active = False
        if r in session:  # a stored rule, or one just created by these options
            session.commit()
        click.echo(f"{found.name}: 每月{r.day_of_month}日 {r.starts}–{r.ends} {r.place or found.address}，"
                   f"容量 {r.capacity}，值班 {r.duty_count} 人，节假日 {r.holiday_policy}"
                   + ("" if r.active else "（停用）"))


@reception.command("remind")
@click.option("--today", "today", default=None, help="Run the job as on this day (YYYY-MM-DD); default: today.")
@with_appcontext
@needs_db
def remind(today: str | None) -> None:
    """Run the daily reminder job (the same one beat runs) for a given date."""
    from ..tasks import remind_receptions

    result = remind_receptions(current(), _day(today) if today else None)
    click.echo(f"queued {result['queued']} reminders")


def _change(site: str, nominal: str, to: date | None, by: str, note: str) -> None:
    from ..services import reminders

    ext = current()
    with ext.Session() as session:
        try:
            rec, ids = reminders.change(session, site, _day(nominal), to=to, by=by, note=note, now=ext.now())
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
    for push_id in ids:
        ext.enqueue(DELIVER_PUSH, push_id)
    click.echo(f"reception {rec.id} {'cancelled' if to is None else f'moved to {to}'}; {len(ids)} notices queued")


@reception.command("move")
@click.argument("site")
@click.argument("nominal")
@click.option("--to", "to", required=True, help="New date, YYYY-MM-DD.")
@click.option("--by", required=True, help="Who decided.")
@click.option("--note", default="", help="Told to those already reminded.")
@with_appcontext
@needs_db
def move(site: str, nominal: str, to: str, by: str, note: str) -> None:
    """Move SITE's reception nominally on NOMINAL (YYYY-MM-DD) to another day."""
    _change(site, nominal, _day(to), by, note)


@reception.command("cancel")
@click.argument("site")
@click.argument("nominal")
@click.option("--by", required=True)
@click.option("--note", default="")
@with_appcontext
@needs_db
def cancel(site: str, nominal: str, by: str, note: str) -> None:
    """Cancel SITE's reception nominally on NOMINAL; those already reminded are told."""
    _change(site, nominal, None, by, note)


@reception.group("holidays")
def holidays() -> None:
    """Official holidays and make-up working days for years chinese-calendar does not know."""


@holidays.command("add")
@click.argument("days", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(["holiday", "workday"]), default="holiday", show_default=True)
@click.option("--name", default="", help="e.g. 春节")
@with_appcontext
@needs_db
def holidays_add(days: tuple[str, ...], kind: str, name: str) -> None:
    """Enter DAYS (YYYY-MM-DD, or YYYY-MM-DD..YYYY-MM-DD) as holidays or make-up working days."""
    from datetime import timedelta

    from ..services import holidays as service

    with current().Session() as session:
        n = 0
        for item in days:
            first, _, last = item.partition("..")
            d, end = _day(first), _day(last or first)
            while d <= end:
                service.add(session, d, kind, name)
                d += timedelta(days=1)
                n += 1
        session.commit()
    click.echo(f"{n} days entered as {kind}")


@holidays.command("list")
@click.argument("year", type=int)
@with_appcontext
@needs_db
def holidays_list(year: int) -> None:
    from ..services import holidays as service

    with current().Session() as session:
        for row in service.staff_days(session, year):
            click.echo(f"{row.day} {row.kind} {row.name}")
        click.echo(f"chinese-calendar knows {year}: {'yes' if service.package_knows(year) else 'no'}")


@reception.command("bookings")
@click.argument("site")
@click.argument("nominal")
@with_appcontext
@needs_db
def bookings_list(site: str, nominal: str) -> None:
    """The voters booked for SITE's reception nominally on NOMINAL."""
    from ..services import reminders
    from ..services.reception import find, materialize

    with current().Session() as session:
        try:
            _, occ = find(session, site, _day(nominal))
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        rec = materialize(session, occ)
        rows = reminders.bookings(session, rec.id)
        session.commit()
        click.echo(f"{occ.date} {occ.site_name} 值班：{occ.names}；已预约 {len(rows)}/{occ.capacity}")
        for b in rows:
            click.echo(f"  {b.number:>3} {b.voter.name or '群众'}")
