"""`liaison duty formal`: staff mark a suggestion a deputy escalated to the
county as a formal suggestion (建议批评和意见, item 9 of "十个一"), or take
that back with --undo. Audited, like the console's button on the ticket page."""
from __future__ import annotations

import getpass

import click

from ..extensions import current
from .context import needs_db, with_appcontext
from .output import echo_json, json_option


@click.command("formal")
@click.option("--ticket", "number", metavar="工单编号", required=True, help="上报县人大的工单编号，如 2026-000123（今年的工单也可以只写序号 123）。")
@click.option("--undo", is_flag=True, help="取消认定（不再计入“建议批评和意见”）。")
@click.option("--by", metavar="操作人", help="记入审计日志的操作人；默认当前系统用户。")
@json_option
@with_appcontext
@needs_db
def formal(number: str, undo: bool, by: str | None, as_json: bool) -> None:
    """把代表上报的意见认定为正式建议（计入“十个一”第9项），或用 --undo 取消认定。"""
    from ..services.accounts import audit
    from ..services.calendar.local_time import BEIJING
    from ..services.duty.activities import DutyError
    from ..services.duty.formal import audit_fields, mark

    ext = current()
    actor = (by or "").strip()[:64] or f"cli:{getpass.getuser()}"
    with ext.Session() as session:
        try:
            done = mark(session, number, formal=not undo, year=ext.now().astimezone(BEIJING).year)
        except DutyError as exc:
            raise click.ClickException(str(exc)) from None
        if done.changed:
            audit.record(session, actor=actor, now=ext.now(), **audit_fields(done))
        session.commit()
    if as_json:
        echo_json({"ticket": done.number, "formal": done.formal, "changed": done.changed,
                   "deputies": list(done.deputies)})
        return
    what = "认定为正式建议" if done.formal else "取消正式建议认定"
    if done.changed:
        click.echo(f"{done.number} 已{what}（{'、'.join(done.deputies)}）。")
    else:
        click.echo(f"{done.number} 原本就是{'正式建议' if done.formal else '未认定'}，没有改动。")
