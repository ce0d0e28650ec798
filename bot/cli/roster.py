"""`liaison roster`: the Excel roster (template, import, export) and its health.
Opens files, calls services, commits once, prints."""
from __future__ import annotations

import time

import click
from sqlalchemy.exc import IntegrityError

from ..extensions import current
from .bindings import bindings
from .context import needs_db, with_appcontext
from .output import echo_json, json_option



@click.group()
def roster() -> None:
    """名册：按“3+10”谁联系谁。"""


@roster.command("template")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def roster_template(path: str) -> None:
    """写出空白名册模板 PATH（中文工作表和列名，列名上有批注）。"""
    from ..services.roster.workbook.export import write_template

    write_template(path)
    click.echo(f"模板已写入 {path}")


@roster.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查并报告，不写入。")
@with_appcontext
@needs_db
def roster_import(path: str, dry_run: bool) -> None:
    """导入名册 PATH（.xlsx；大村的选民名单可单独存为 .csv）。有任何一处错误，整个文件都不导入。"""
    from ..services.roster.workbook.importer import import_roster

    ext = current()
    started = time.monotonic()
    with ext.Session() as session:
        try:
            summary = import_roster(session, path, ext.phones, ext.now())
        except IntegrityError as exc:  # e.g. two rows swapping WeChat bindings in one file
            session.rollback()
            raise click.ClickException(f"导入冲突，未导入任何数据（{type(exc.orig).__name__}）") from None
        if summary.problems:
            session.rollback()
            for problem in summary.problems:
                click.echo(str(problem), err=True)
            for warning in summary.warnings:
                click.echo(f"警告 {warning}", err=True)
            raise click.ClickException(f"{len(summary.problems)} 处错误，未导入任何数据")
        if dry_run:
            session.rollback()
        else:
            session.commit()
    for title, c in summary.counts.items():
        removed = f"，删除 {c.removed}" if c.removed else ""
        click.echo(f"{title}: 新增 {c.created}，更新 {c.updated}，未变 {c.unchanged}{removed}")
    for change in summary.changes:
        click.echo(f"  改动 {change}")
    for warning in summary.warnings:
        click.echo(f"  警告 {warning}")
    verdict = "检查通过（--dry-run，未写入）" if dry_run else ("已导入" if summary.changed else "没有变化")
    click.echo(f"{verdict}，用时 {time.monotonic() - started:.2f} 秒")


@roster.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option("--by", metavar="操作人", help="操作人（记入审计日志）；默认当前系统用户。")
@with_appcontext
@needs_db
def roster_export(path: str, by: str | None) -> None:
    """把整个名册导出到 PATH（.xlsx），修改后可再导入。文件含手机号和微信绑定，只有本机当前用户可读，请妥善保管。"""
    import getpass
    import os

    from ..services.roster_desk import manage

    ext = current()
    with ext.Session() as session:
        # Phones and WeChat bindings leave the system: every export is on record.
        _, counts = manage.export(session, (by or "").strip() or f"cli:{getpass.getuser()}", ext.phones, ext.now(),
                                  path=path, target=os.path.abspath(path))
        session.commit()
    click.echo(f"名册已导出到 {path}：" + "，".join(f"{k} {v}" for k, v in counts.items()))


@roster.command("check")
@json_option
@with_appcontext
@needs_db
def roster_check(as_json: bool) -> None:
    """“3+10”体检：缺联系、缺选区、固定选民不足 10 人、代表未绑定微信……有问题时退出码为 1。"""
    from ..services.roster.report import CHECKS, check

    with current().Session() as session:
        report = check(session)
    if as_json:
        echo_json(report)
    else:
        for key, heading in CHECKS.items():
            items = report[key]
            click.echo(f"{'✔' if not items else '✘'} {heading}：{len(items)}")
            for item in items[:50]:
                extra = f"（固定选民 {item['fixed_voters']} 人）" if "fixed_voters" in item else ""
                click.echo(f"    {item['code']} {item['name']}{extra}")
            if len(items) > 50:
                click.echo(f"    …… 另有 {len(items) - 50} 条")
    if any(report.values()):
        raise SystemExit(1)


@roster.command("stats")
@json_option
@with_appcontext
@needs_db
def roster_stats(as_json: bool) -> None:
    """名册统计：人数、各级职务数、交叉任职、村、站点、群、选民、已绑定微信的人数。"""
    from ..services.roster.report import LEVEL_NAMES, STAT_NAMES, stats

    with current().Session() as session:
        data = stats(session)
    if as_json:
        echo_json(data)
    else:
        for key, value in data.items():
            if isinstance(value, dict):
                value = "，".join(f"{LEVEL_NAMES.get(k, k)} {v}" for k, v in value.items())
            click.echo(f"{STAT_NAMES.get(key, key)}：{value}")


roster.add_command(bindings)
