"""`liaison duty`: the duty record (履职档案) from the command line, for scripts
and tests: add activities (one deputy or many at one event), list a deputy's
year. Opens a session, calls services/duty, commits, prints."""
from __future__ import annotations

import getpass
from datetime import date

import click

from ..extensions import current
from .context import needs_db, with_appcontext
from .output import echo_json, json_option

BY_HELP = "录入人（记入履职档案）；默认当前系统用户。"


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} 不是日期（格式 YYYY-MM-DD）") from None


@click.group()
def duty() -> None:
    """履职档案：录入和查看代表的履职活动、“十个一”完成情况、每月提醒。"""


@duty.command("add")
@click.option("--deputy", "deputies", metavar="代表编号", multiple=True, required=True,
              help="代表编号；一次活动多位代表参加时可重复（如 --deputy D011 --deputy D012）。")
@click.option("--kind", required=True, metavar="种类",
              help="活动种类：编号 1-10（“十个一”的顺序）、中文名（如 学习培训）或英文代码（如 study）。")
@click.option("--date", "day", required=True, metavar="日期", help="活动日期 YYYY-MM-DD。")
@click.option("--place", default="", metavar="地点", help="地点。")
@click.option("--people", default="", metavar="人员", help="参与或走访的人。")
@click.option("--note", default="", metavar="记录", help="记录（民情笔记、内容摘要）。")
@click.option("--by", metavar="录入人", help=BY_HELP)
@json_option
@with_appcontext
@needs_db
def add(deputies: tuple[str, ...], kind: str, day: str, place: str, people: str, note: str, by: str | None,
        as_json: bool) -> None:
    """录入一次履职活动（一位或多位代表），全部检查通过才写入。"""
    from ..services.duty.activities import DutyError
    from ..services.duty.desk import ENTRY_KINDS, enter_as
    from ..services.duty.items import KIND_NAMES, kind_of

    code = kind_of(kind)
    if code not in ENTRY_KINDS:  # casework and broadcasts are recorded by the system itself
        allowed = "、".join(KIND_NAMES[k] for k in ENTRY_KINDS)
        what = f"“{KIND_NAMES[code]}”由系统自动记录，不能手工录入" if code else f"没有这种活动：{kind}"
        raise click.BadParameter(f"{what}（可选：{allowed}）", param_hint="--kind")
    when = _day(day)
    ext = current()
    entered_by = ((by or "").strip() or f"cli:{getpass.getuser()}")[:64]
    with ext.Session() as session:
        try:
            # The console's entry path: the same kinds and checks, all checked before anything is written.
            rows = enter_as(session, entered_by=entered_by, codes=list(deputies), kind=code, day=when,
                            now=ext.now(), place=place, people=people, note=note)
        except DutyError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        out = [{"id": r.id, "deputy": r.deputy.code, "kind": r.kind, "day": r.day.isoformat()} for r in rows]
    if as_json:
        echo_json(out)
        return
    click.echo(f"已录入 {len(out)} 条“{KIND_NAMES[code]}”（{when.isoformat()}）："
               + "、".join(o["deputy"] for o in out))


@duty.command("list")
@click.option("--deputy", "code", metavar="代表编号", required=True, help="代表编号。")
@click.option("--year", type=click.IntRange(2000, 2100), metavar="年份", help="哪一年；默认今年。")
@json_option
@with_appcontext
@needs_db
def list_(code: str, year: int | None, as_json: bool) -> None:
    """列出一位代表一年的履职活动。"""
    from ..services.calendar.local_time import BEIJING
    from ..services.duty.activities import DutyError, deputy_by_code, for_year
    from ..services.duty.desk import audit_view
    from ..services.duty.items import KIND_NAMES, SOURCE_NAMES

    ext = current()
    year = year or ext.now().astimezone(BEIJING).year
    with ext.Session() as session:
        try:
            deputy = deputy_by_code(session, code)
        except DutyError as exc:
            raise click.ClickException(str(exc)) from None
        rows = [{"id": r.id, "kind": r.kind, "day": r.day.isoformat(), "place": r.place, "people": r.people,
                 "note": r.note, "source": r.source, "entered_by": r.entered_by, "evidence": r.evidence,
                 "counts": r.counts} for r in for_year(session, deputy.id, year)]
        name = deputy.name
        audit_view(session, actor=f"cli:{getpass.getuser()}", deputy=deputy, year=year, shown=len(rows),
                   now=ext.now())
        session.commit()
    if as_json:
        echo_json({"deputy": code, "name": name, "year": year, "activities": rows})
        return
    click.echo(f"{name}（{code}）{year} 年履职活动 {len(rows)} 条")
    for r in rows:
        extra = "" if r["counts"] else "（待认定）"
        click.echo(f"  {r['day']}  {KIND_NAMES.get(r['kind'], r['kind'])}{extra}  {r['place']}  {r['note'][:40]}"
                   f"  ——{SOURCE_NAMES.get(r['source'], r['source'])}")


# The standing against the ten items and the monthly nudge, in a module of their own.
from .duty_report import nudge, report  # noqa: E402

duty.add_command(report)
duty.add_command(nudge)
# The yearly evaluation's commands, in a module of their own too.
from .duty_eval import evaluate, sheet, summary  # noqa: E402

for _command in (evaluate, sheet, summary):
    duty.add_command(_command)

# Staff's word on escalated suggestions, likewise in its own module.
from .duty_formal import formal  # noqa: E402

duty.add_command(formal)
