"""`liaison tickets export`: one ticket's registration form (.docx) or the
ticket list (.xlsx) with the console list's filters. The command runs on the
station's own machine with full access, like `liaison tickets list`, so
voters' names are shown (except those who asked not to be named); the file
is written readable by the current user only, and every export is audited."""
from __future__ import annotations

import os

import click

from ..extensions import current
from .context import needs_db, ticket_or_fail, with_appcontext

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _actor(by: str | None) -> str:
    import getpass

    return (by or "").strip()[:100] or f"cli:{getpass.getuser()}"


def _status(value: str | None) -> str | None:
    """A status code ("resolved") or its Chinese name ("已办结")."""
    from ..models import TICKET_STATUSES
    from ..services.texts import STATUS_NAMES

    if not value:
        return None
    for code in TICKET_STATUSES:
        if value.strip() in (code, STATUS_NAMES.get(code)):
            return str(code)
    names = "、".join(f"{STATUS_NAMES.get(c, c)}（{c}）" for c in TICKET_STATUSES)
    raise click.BadParameter(f"没有状态“{value}”；可以写：{names}", param_hint="--status")


def _one(session, model, value: str | None, what: str, option: str) -> int | None:
    """The id of the deputy or village with this code or name."""
    from sqlalchemy import or_, select

    if not value:
        return None
    ids = session.scalars(select(model.id).where(or_(model.code == value.strip(), model.name == value.strip()))).all()
    if len(ids) != 1:
        why = "没有" if not ids else "有不止一个"
        raise click.BadParameter(f"{why}编码或名称为“{value}”的{what}", param_hint=option)
    return ids[0]


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["docx", "xlsx"], case_sensitive=False), required=True,
              help="docx：一件工单的登记表；xlsx：工单列表。")
@click.option("--number", metavar="编号", help="登记表的工单编号（如 2026-000123），--format docx 时必填。")
@click.option("--status", metavar="状态", help="列表只含这个状态（如 已办结 或 resolved）。")
@click.option("--since", type=DATE, metavar="日期", help="列表从这一天起收到的（YYYY-MM-DD，北京时间）。")
@click.option("--until", type=DATE, metavar="日期", help="列表到这一天为止收到的（含当天）。")
@click.option("--deputy", metavar="代表", help="列表只含这位代表（编码或姓名）的工单。")
@click.option("--category", metavar="类别", help="列表只含这个类别。")
@click.option("--village", metavar="村", help="列表只含这个行政村（编码或名称）。")
@click.option("--out", "out", type=click.Path(dir_okay=False, writable=True), metavar="路径",
              help="写到这个文件；默认写在当前文件夹。")
@click.option("--by", metavar="操作人", help="操作人（记入审计日志）；默认当前系统用户。")
@with_appcontext
@needs_db
def export(fmt: str, number: str | None, status: str | None, since, until, deputy: str | None,
           category: str | None, village: str | None, out: str | None, by: str | None) -> None:
    """导出登记表（.docx，闭会期间代表建议、批评和意见登记表）或工单列表（.xlsx，条件同工作台的工单列表）。"""
    from sqlalchemy import true

    from ..infra.files import open_private
    from ..models import Deputy, Village
    from ..services.accounts import audit
    from ..services.calendar.local_time import BEIJING
    from ..services.station import Station
    from ..services.tickets import board, form_sheet, form_word, forms

    fmt = fmt.lower()
    list_options = {"--status": status, "--since": since, "--until": until, "--deputy": deputy,
                    "--category": category, "--village": village}
    ext = current()
    now = ext.now()
    with ext.Session() as session:
        station = forms.station_name(session)
        if fmt == "docx":
            if not number:
                raise click.UsageError("导出登记表要写 --number 工单编号（如 --number 2026-000123）。")
            given = [name for name, value in list_options.items() if value]
            if given:
                raise click.UsageError(f"{'、'.join(given)} 只用于 --format xlsx（工单列表）。")
            ticket = ticket_or_fail(session, number)
            data = form_word.write(forms.row(session, ticket, reveal=True), station=station, now=now)
            path = out or f"登记表-{ticket.number}.docx"
            action, target, detail, said = "export.ticket_form", ticket.number, os.path.abspath(path), ticket.number
        else:
            if number:
                raise click.UsageError("--number 只用于 --format docx（一件工单的登记表）。")
            filters = board.Filters(status=_status(status), category=(category or "").strip() or None,
                                    village_id=_one(session, Village, village, "行政村", "--village"),
                                    deputy_id=_one(session, Deputy, deputy, "代表", "--deputy"),
                                    since=since.date() if since else None, until=until.date() if until else None)
            described = forms.summary(forms.describe(session, filters))
            found = forms.listing(session, true(), filters, reveal=True, now=now,
                                  station=Station.from_settings(ext.settings))
            data = form_sheet.write(found, station=station, filters=described, now=now)
            path = out or f"意见工单-{now.astimezone(BEIJING):%Y%m%d-%H%M}.xlsx"
            said = f"{len(found.rows)} 件（筛选：{described}）"
            action, target, detail = "export.tickets", f"{len(found.rows)} 件", f"筛选：{described}；{os.path.abspath(path)}"
        try:
            with open_private(path) as fh:
                fh.write(data)
        except OSError as exc:
            raise click.ClickException(f"无法写入 {path}：{exc.strerror or exc}") from None
        audit.record(session, actor=_actor(by), action=action, target=target, detail=detail[-500:], now=now)
        session.commit()
    click.echo(f"已导出 {said} 到 {path}")
