"""`liaison poll open|close|results` (the voters' yearly poll) and `liaison
duty evaluate|sheet|summary` (the yearly evaluation and its documents),
attached to the `duty` group in duty.py. Each opens a session, calls
services/duty, audits, commits (pushes after the commit), prints."""
from __future__ import annotations

import getpass

import click

from ..extensions import current
from .context import needs_db, with_appcontext
from .output import echo_json, json_option

YEAR = click.IntRange(2000, 2100)
BY_HELP = "操作人（记入审计日志）；默认当前系统用户。"


def _by(by: str | None) -> str:
    return (by or "").strip()[:64] or f"cli:{getpass.getuser()}"


def _audit(session, actor: str, action: str, target: str, detail: str, now) -> None:
    from ..services.accounts import audit

    audit.record(session, actor=actor, action=action, target=target, detail=detail, now=now)


@click.group()
def poll() -> None:
    """选民测评：每年一次，由工作人员开始和结束；结果只按代表汇总，满 5 票才公布。"""


@poll.command("open")
@click.option("--year", type=YEAR, required=True, metavar="年份", help="测评年度。")
@click.option("--by", metavar="操作人", help=BY_HELP)
@json_option
@with_appcontext
@needs_db
def open_(year: int, by: str | None, as_json: bool) -> None:
    """开始测评：给每位代表的固定联系选民和已绑定的本选区选民各发一条邀请。"""
    from ..jobs.commit import commit
    from ..services.duty import poll as polls
    from ..services.duty.activities import DutyError

    ext = current()
    actor, now = _by(by), ext.now()
    with ext.Session() as session:
        try:
            found, outcome, _ = polls.open_poll(session, year, actor, now)
        except DutyError as exc:
            raise click.ClickException(str(exc)) from None
        sent = len(outcome.push_ids)
        _audit(session, actor, "duty.poll_open", f"{year}年度", f"邀请 {sent} 人", now)
        commit(ext, session, outcome)
        out = polls.stats(session, year)
    if as_json:
        echo_json({**out, "invited_now": sent})
        return
    click.echo(f"{year}年度选民测评已开始，发出邀请 {sent} 条" + ("（重新开始：已邀请过的不再发）" if not sent else ""))


@poll.command("close")
@click.option("--year", type=YEAR, required=True, metavar="年份", help="测评年度。")
@click.option("--by", metavar="操作人", help=BY_HELP)
@json_option
@with_appcontext
@needs_db
def close(year: int, by: str | None, as_json: bool) -> None:
    """结束测评：之后的评价一律不收；还在排队的评价全部计入。"""
    from ..services.duty import poll as polls
    from ..services.duty.activities import DutyError

    ext = current()
    actor, now = _by(by), ext.now()
    with ext.Session() as session:
        try:
            polls.close_poll(session, year, actor, now)
        except DutyError as exc:
            raise click.ClickException(str(exc)) from None
        _audit(session, actor, "duty.poll_close", f"{year}年度", "", now)
        session.commit()
        out = polls.stats(session, year)
    if as_json:
        echo_json(out)
        return
    click.echo(f"{year}年度选民测评已结束，共收到 {out['ballots']} 票")


@poll.command("results")
@click.option("--year", type=YEAR, required=True, metavar="年份", help="测评年度。")
@json_option
@with_appcontext
@needs_db
def results(year: int, as_json: bool) -> None:
    """每位代表的测评汇总（测评结束后才公布，不足 5 票的不公布），旁边是本年度群众对所办意见的评价。"""
    from ..services.duty import poll as polls

    ext = current()
    with ext.Session() as session:
        state = polls.stats(session, year)
        rows = [t.as_dict() for t in polls.results(session, year)]
    if as_json:
        echo_json({**state, "deputies": rows})
        return
    status = {"none": "未开始", "open": "进行中", "closed": "已结束"}[state["status"]]
    click.echo(f"{year}年度选民测评：{status}" + (f"，共 {state['ballots']} 票" if state["status"] != "none" else ""))
    for r in rows:
        tickets = f"意见评价 {r['ticket_ratings']} 件，均分 {r['ticket_rating_avg']}" if r["ticket_ratings"] else "意见评价 暂无"
        click.echo(f"  {r['deputy']} {r['name']}：{r['summary']}；{tickets}")


@click.command("evaluate")
@click.option("--deputy", "code", required=True, metavar="代表编号", help="代表编号。")
@click.option("--year", type=YEAR, required=True, metavar="年份", help="考评年度。")
@click.option("--self", "part", flag_value="self", help="录入代表自评（代表本人填写的，由工作人员代录）。")
@click.option("--org", "part", flag_value="org", help="录入组织评定。")
@click.option("--score", metavar="分数", help="0-100 分；只写等次时按等次折算。")
@click.option("--grade", type=click.Choice(["优秀", "称职", "基本称职", "不称职"]), metavar="等次",
              help="优秀、称职、基本称职、不称职；只写分数时按分数段定。")
@click.option("--text", default="", metavar="评价", help="评价内容。")
@click.option("--by", metavar="录入人", help=BY_HELP)
@json_option
@with_appcontext
@needs_db
def evaluate(code: str, year: int, part: str | None, score: str | None, grade: str | None, text: str,
             by: str | None, as_json: bool) -> None:
    """录入一位代表一年的自评或组织评定，并显示三项和综合得分。"""
    from ..services.duty import evaluation
    from ..services.duty.activities import DutyError, deputy_by_code

    if part is None:
        raise click.UsageError("请写 --self（自评）或 --org（组织评定）。")
    ext = current()
    actor, now = _by(by), ext.now()
    with ext.Session() as session:
        try:
            deputy = deputy_by_code(session, code)
            evaluation.assess(session, deputy, year, part, score=score, grade=grade, text=text, by=actor, now=now)
        except DutyError as exc:
            raise click.ClickException(str(exc)) from None
        _audit(session, actor, f"duty.evaluate_{part}", f"{deputy.code} {year}年度", "", now)
        session.commit()
        _, tally, total = evaluation.evaluate(session, deputy, year, ext.settings["DUTY_WEIGHTS"])
        out = {"deputy": deputy.code, "name": deputy.name, "year": year, "parts": total.parts, "total": total.total,
               "grade": total.grade, "note": total.note, "poll": tally.summary}
    if as_json:
        echo_json(out)
        return
    names = evaluation.PART_NAMES
    click.echo(f"已录入{names[part]}。{out['name']}（{code}）{year}年度："
               + "，".join(f"{names[p]} {'—' if v is None else v}" for p, v in out["parts"].items())
               + f"；综合 {out['total'] if out['total'] is not None else '暂无'}（{out['note']}）")


def _write(path: str, data: bytes) -> None:
    from ..infra.files import open_private

    try:
        with open_private(path) as fh:
            fh.write(data)
    except OSError as exc:
        raise click.ClickException(f"写不了文件 {path}：{exc.strerror or exc}") from None


@click.command("sheet")
@click.option("--deputy", "code", required=True, metavar="代表编号", help="代表编号。")
@click.option("--year", type=YEAR, required=True, metavar="年份", help="考评年度。")
@click.option("--out", required=True, metavar="路径", help="保存到的 .docx 文件。")
@with_appcontext
@needs_db
def sheet(code: str, year: int, out: str) -> None:
    """导出一位代表的年度履职考评表（Word）。"""
    import os

    from ..services.duty import sheet as sheets
    from ..services.duty.activities import DutyError, deputy_by_code
    from ..services.tickets.forms import station_name

    ext = current()
    now = ext.now()
    with ext.Session() as session:
        try:
            deputy = deputy_by_code(session, code)
        except DutyError as exc:
            raise click.ClickException(str(exc)) from None
        data = sheets.write(session, deputy, year, ext.settings["DUTY_WEIGHTS"], station=station_name(session),
                            now=now)
        _write(out, data)
        _audit(session, _by(None), "export.duty_sheet", f"{deputy.code} {year}年度", os.path.abspath(out), now)
        session.commit()
    click.echo(f"已保存 {deputy.name} 的 {year} 年度履职考评表：{out}")


@click.command("summary")
@click.option("--year", type=YEAR, required=True, metavar="年份", help="考评年度。")
@click.option("--out", required=True, metavar="路径", help="保存到的 .xlsx 文件。")
@with_appcontext
@needs_db
def summary(year: int, out: str) -> None:
    """导出全站年度履职考评汇总表（Excel）。"""
    import os

    from ..services.duty import summary as summaries
    from ..services.tickets.forms import station_name

    ext = current()
    now = ext.now()
    with ext.Session() as session:
        data = summaries.write(session, year, ext.settings["DUTY_WEIGHTS"], station=station_name(session), now=now)
        _write(out, data)
        _audit(session, _by(None), "export.duty_summary", f"{year}年度", os.path.abspath(out), now)
        session.commit()
    click.echo(f"已保存 {year} 年度履职考评汇总表：{out}")
