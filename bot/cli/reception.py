"""`liaison reception`: the calendar of reception days, holidays, one-off
changes, reminders and bookings. Opens sessions, calls services, commits, prints."""
from __future__ import annotations

from datetime import date, datetime

import click

from ..extensions import current
from .context import needs_db, with_appcontext
from .output import echo_json, json_option

POLICIES = ("next_workday", "previous_workday", "keep")  # services/reception/rules.py POLICIES
DAY_KINDS = {"holiday": "放假", "workday": "调休上班"}


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} 不是日期（格式 YYYY-MM-DD）") from None


def _site(session, code: str):
    from sqlalchemy import select

    from ..models import Site

    found = session.scalar(select(Site).where(Site.code == code))
    if found is None:
        raise click.ClickException(f"没有编码为 {code} 的站点（站点编码见 liaison qr list）")
    return found


def _no_reception(site_name: str, nominal: str) -> click.ClickException:
    return click.ClickException(f"{site_name} 在 {nominal} 没有接待日（日期见 liaison reception plan，"
                                "写原定的日期）")


@click.group()
def reception() -> None:
    """接待选民日：安排、提醒、改期、节假日、预约。"""


@reception.command("plan")
@click.option("--from", "start", metavar="年-月", required=True, help="从哪个月开始，YYYY-MM。")
@click.option("--months", metavar="月数", default=12, show_default=True, type=click.IntRange(1, 60), help="列出几个月。")
@click.option("--site", "sites", metavar="站点编码", multiple=True, help="只看这个站点（站点编码，可重复）。")
@json_option
@with_appcontext
@needs_db
def plan(start: str, months: int, sites: tuple[str, ...], as_json: bool) -> None:
    """接待日安排：日期、站点、时间、地点和值班代表。"""
    from ..services.reception.calendar import Calendar, missing_holiday_years

    try:
        first = datetime.strptime(start, "%Y-%m").date()
    except ValueError:
        raise click.BadParameter(f"{start!r} 不是月份（格式 YYYY-MM）", param_hint="--from") from None
    with current().Session() as session:
        cal = Calendar(session)
        ids = {s.id for s in cal.sites if s.code in sites} if sites else None
        items = cal.plan(first, months, ids)
    missing = missing_holiday_years(items)
    warnings = [f"{y} 年没有法定节假日数据，接待日未按节假日顺延；请用 `liaison reception holidays add` 录入当年放假安排"
                for y in missing]
    if as_json:
        echo_json({"receptions": [o.as_dict() for o in items], "missing_holiday_years": missing,
                   "warnings": warnings})
    else:
        for o in items:
            flag = "（已取消）" if o.cancelled else f"（{o.moved_for}顺延）" if o.moved_for and o.moved_for != "staff" \
                else "（已调整）" if o.moved_for else ""
            click.echo(f"{o.date} 周{'一二三四五六日'[o.date.weekday()]} {o.starts}–{o.ends} {o.site_name}"
                       f"{flag} 值班：{o.names or '无'}")
        if not items:
            click.echo("这段时间没有接待日。")
    for w in warnings:
        click.echo(f"注意：{w}", err=True)


@reception.command("rule")
@click.argument("site")
@click.option("--day", metavar="日", type=click.IntRange(1, 31), help="每月几号。")
@click.option("--starts", metavar="时:分", help="开始时间 HH:MM。")
@click.option("--ends", metavar="时:分", help="结束时间 HH:MM。")
@click.option("--place", metavar="地点", help="接待地点（默认：站点地址）。")
@click.option("--capacity", metavar="人数", type=click.IntRange(1, 1000), help="每次接待可预约的人数。")
@click.option("--duty", "duty_count", metavar="人数", type=click.IntRange(1, 20), help="每次值班的代表人数。")
@click.option("--policy", type=click.Choice(POLICIES),
              help="遇法定节假日：next_workday 顺延，previous_workday 提前，keep 照常（周末照常）。")
@click.option("--off", is_flag=True, help="这个站点不再按月接待选民。")
@with_appcontext
@needs_db
def rule(site: str, off: bool, **changes) -> None:
    """查看或修改站点 SITE 的接待规则（不写选项就是查看）。"""
    from ..services.reception import rules
    from ..services.reception.calendar import ReceptionError, beijing_today

    names = {"day": "day_of_month", "policy": "holiday_policy"}
    wanted = {names.get(k, k): v for k, v in changes.items()}
    if off:
        wanted["active"] = False
    ext = current()
    with ext.Session() as session:
        found = _site(session, site)
        try:
            r = rules.update(session, found, wanted, beijing_today(ext.now()))
        except ReceptionError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(rules.describe(r, found))


@reception.command("remind")
@click.option("--today", "today", metavar="日期", default=None, help="按这一天运行（YYYY-MM-DD）；默认今天。")
@with_appcontext
@needs_db
def remind(today: str | None) -> None:
    """运行每天的接待提醒（与定时任务相同）：接待前通知选民、提醒值班代表。"""
    from ..jobs.tasks import remind_receptions

    result = remind_receptions(current(), _day(today) if today else None)
    click.echo(f"已安排 {result['queued']} 条提醒")


def _change(site: str, nominal: str, to: date | None, by: str, note: str) -> None:
    from ..jobs.commit import commit
    from ..services.outcome import Outcome
    from ..services.reception import reminders
    from ..services.reception.calendar import ReceptionError

    ext = current()
    day = _day(nominal)
    with ext.Session() as session:
        found = _site(session, site)
        try:
            rec, ids = reminders.change(session, site, day, to=to, by=by, note=note, now=ext.now())
        except LookupError:
            raise _no_reception(found.name, nominal) from None
        except ReceptionError as exc:
            raise click.ClickException(str(exc)) from None
        commit(ext, session, Outcome(push_ids=ids))
    done = "已取消" if to is None else f"已改到 {to}"
    click.echo(f"{found.name} 原定 {nominal} 的接待{done}；已给收到过提醒或已预约的人安排 {len(ids)} 条变更通知")


@reception.command("move")
@click.argument("site")
@click.argument("nominal")
@click.option("--to", "to", metavar="日期", required=True, help="新日期，YYYY-MM-DD。")
@click.option("--by", metavar="姓名", required=True, help="谁决定的。")
@click.option("--note", metavar="附言", default="", help="附言，告诉已收到提醒的人。")
@with_appcontext
@needs_db
def move(site: str, nominal: str, to: str, by: str, note: str) -> None:
    """把站点 SITE 原定 NOMINAL（YYYY-MM-DD）的接待改到另一天。"""
    _change(site, nominal, _day(to), by, note)


@reception.command("cancel")
@click.argument("site")
@click.argument("nominal")
@click.option("--by", metavar="姓名", required=True, help="谁决定的。")
@click.option("--note", metavar="附言", default="", help="附言，告诉已收到提醒的人。")
@with_appcontext
@needs_db
def cancel(site: str, nominal: str, by: str, note: str) -> None:
    """取消站点 SITE 原定 NOMINAL（YYYY-MM-DD）的接待；已收到提醒的人会收到通知。"""
    _change(site, nominal, None, by, note)


@reception.group("holidays")
def holidays() -> None:
    """法定节假日和调休上班日（chinese-calendar 还没有的年份由工作人员录入）。"""


@holidays.command("add")
@click.argument("days", nargs=-1, required=True)
@click.option("--kind", type=click.Choice(list(DAY_KINDS)), default="holiday", show_default=True,
              help="holiday 放假，workday 调休上班。")
@click.option("--name", metavar="名称", default="", help="名称，例如 春节。")
@with_appcontext
@needs_db
def holidays_add(days: tuple[str, ...], kind: str, name: str) -> None:
    """录入放假日或调休上班日 DAYS（YYYY-MM-DD，或 YYYY-MM-DD..YYYY-MM-DD 表示一段）。"""
    from ..services.calendar.holidays import HolidayEntryError
    from ..services.reception import guard
    from ..services.reception.calendar import beijing_today

    ext = current()
    ranges = [(_day(first), _day(last or first)) for first, _, last in (item.partition("..") for item in days)]
    with ext.Session() as session:
        try:
            n = guard.add_holidays(session, ranges, kind, name, beijing_today(ext.now()))
        except HolidayEntryError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
    click.echo(f"已录入{DAY_KINDS[kind]} {n} 天")


@holidays.command("remove")
@click.argument("days", nargs=-1, required=True)
@with_appcontext
@needs_db
def holidays_remove(days: tuple[str, ...]) -> None:
    """删除工作人员录入的日子 DAYS（YYYY-MM-DD）：这天回到 chinese-calendar 的说法（没有数据则按周末）。"""
    from ..services.calendar.holidays import HolidayEntryError
    from ..services.reception import guard
    from ..services.reception.calendar import beijing_today

    ext = current()
    wanted = [_day(d) for d in days]
    with ext.Session() as session:
        try:
            removed = [d for d in wanted if guard.remove_holiday(session, d, beijing_today(ext.now()))]
        except HolidayEntryError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
    for d in wanted:
        click.echo(f"已删除 {d} 的录入" if d in removed else f"{d} 没有录入，不用删除")


@holidays.command("list")
@click.argument("year", type=int)
@with_appcontext
@needs_db
def holidays_list(year: int) -> None:
    """工作人员录入的 YEAR 年放假日和调休上班日，以及 chinese-calendar 是否有这一年。"""
    from ..services.calendar import holidays as service

    with current().Session() as session:
        for row in service.staff_days(session, year):
            click.echo(f"{row.day} {DAY_KINDS.get(row.kind, row.kind)} {row.name}")
        known = service.package_knows(year)
        click.echo(f"chinese-calendar 有 {year} 年的节假日数据" if known else
                   f"chinese-calendar 没有 {year} 年的节假日数据：请用 liaison reception holidays add 录入")


@reception.command("bookings")
@click.argument("site")
@click.argument("nominal")
@with_appcontext
@needs_db
def bookings_list(site: str, nominal: str) -> None:
    """站点 SITE 原定 NOMINAL（YYYY-MM-DD）那次接待的预约名单。"""
    from ..services.reception import reminders
    from ..services.reception.calendar import find, materialize

    day = _day(nominal)
    with current().Session() as session:
        found = _site(session, site)
        try:
            _, occ = find(session, site, day)
        except LookupError:
            raise _no_reception(found.name, nominal) from None
        rec = materialize(session, occ)
        rows = reminders.bookings(session, rec.id)
        session.commit()
        click.echo(f"{occ.date} {occ.site_name} 值班：{occ.names}；已预约 {len(rows)}/{occ.capacity}")
        for b in rows:
            click.echo(f"  {b.number:>3} {b.voter.name or '群众'}")
