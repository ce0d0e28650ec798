"""`liaison roster`: the Excel roster (template, import, export) and its health.
Opens files, calls services, commits once, prints."""
from __future__ import annotations

import json
import time

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from ..extensions import current
from .data import needs_db


@click.group()
def roster() -> None:
    """名册 The roster: who contacts whom under "3+10"."""


@roster.command("template")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def roster_template(path: str) -> None:
    """Write an empty roster workbook with Chinese sheets and column notes."""
    from ..services.roster_io.export import write_template

    write_template(path)
    click.echo(f"模板已写入 {path}")


@roster.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and report, write nothing.")
@with_appcontext
@needs_db
def roster_import(path: str, dry_run: bool) -> None:
    """Import a roster workbook (.xlsx), or the 选民 sheet alone as .csv. All or nothing."""
    from ..services.roster_io.importer import import_roster

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
    verdict = "检查通过（--dry-run，未写入）" if dry_run else ("已导入" if summary.changed else "没有变化")
    click.echo(f"{verdict}，用时 {time.monotonic() - started:.2f} 秒")


@roster.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
@needs_db
def roster_export(path: str) -> None:
    """Write the whole roster to a workbook the import reads back."""
    from ..services.roster_io.export import write_export

    ext = current()
    with ext.Session() as session:
        counts = write_export(session, path, ext.phones)
    click.echo(f"名册已导出到 {path}：" + "，".join(f"{k} {v}" for k, v in counts.items()))


@roster.command("check")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@needs_db
def roster_check(as_json: bool) -> None:
    """The "3+10" health report; exit code 1 when anything needs attention."""
    from ..services.roster_report import CHECKS, check

    with current().Session() as session:
        report = check(session)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
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
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@needs_db
def roster_stats(as_json: bool) -> None:
    """Counts of people, mandates by level, cross-serving, villages, sites, groups, voters."""
    from ..services.roster_report import stats

    with current().Session() as session:
        data = stats(session)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        for key, value in data.items():
            click.echo(f"{key}: {value}")
