"""`liaison voters`: a voter's personal data under PIPL: erase at their request,
export for their right of access, and the retention periods."""
from __future__ import annotations

import getpass

import click

from ..extensions import current
from .context import needs_db, with_appcontext
from .output import echo_json, json_option

COUNT_LABELS = {"tickets": "工单", "events": "工单记录", "messages": "消息", "pushes": "推送", "examples": "分类样本",
                "media_files": "图片视频文件", "raw_messages": "消息原始内容", "broadcasts": "群发", "bookings": "预约",
                "audit": "审计记录", "duty_notes": "代表走访笔记"}
BY_HELP = "操作人（记入审计日志）；默认当前系统用户。"


def _by(by: str | None) -> str:
    return by.strip() if by and by.strip() else f"cli:{getpass.getuser()}"


def _counts(counts: dict[str, int]) -> str:
    return "，".join(f"{COUNT_LABELS.get(k, k)} {v}" for k, v in sorted(counts.items())) or "没有"


@click.group()
def voters() -> None:
    """选民个人信息：按本人要求删除、导出本人数据、保存期限。"""


def _find(session, who: str | None, phone: str | None):
    from ..services.privacy import erase as service

    ext = current()
    if (who is None) == (phone is None):
        raise click.UsageError("请给出选民的 openid（或名册编号），或者 --phone 手机号，二者选一。")
    try:
        return service.find(session, ext.settings["KEYRING"], ext.phones, who=who, phone=phone)
    except service.NotFound as exc:
        raise click.ClickException(str(exc)) from None


@voters.command("erase")
@click.argument("who", required=False, metavar="OPENID")
@click.option("--phone", metavar="手机号", help="按手机号找选民。")
@click.option("--yes", is_flag=True, help="不再确认，直接删除。")
@click.option("--by", metavar="操作人", help=BY_HELP)
@json_option
@with_appcontext
@needs_db
def voters_erase(who: str | None, phone: str | None, yes: bool, by: str | None, as_json: bool) -> None:
    """按本人要求删除选民 OPENID（或名册编号）的个人信息：姓名、手机号、微信号、
    工单和消息的文字、推送、图片视频。工单的类别、村、代表、状态、日期和评价保留，统计不变。不可恢复。"""
    from ..infra.files import checkpoint_sqlite
    from ..services.privacy import erase as service

    ext = current()
    with ext.Session() as session:
        voter = _find(session, who, phone)
        if not yes and not service.is_erased(voter):
            click.confirm(f"将删除选民 #{voter.id} 的全部个人信息，不可恢复。确定吗？", abort=True, err=True)
        done = service.erase(session, voter, ring=ext.settings["KEYRING"], instance_path=ext.settings["INSTANCE_PATH"],
                             by=_by(by), now=ext.now())
        session.commit()
    checkpoint_sqlite(ext.engine)
    if as_json:
        echo_json({"voter_id": done.voter_id, "pseudonym": done.pseudonym, "already_erased": done.already,
                   "counts": dict(done.counts)})
        return
    if done.already:
        click.echo(f"选民 #{done.voter_id} 此前已删除（{done.pseudonym}）；已再检查一遍：{_counts(done.counts)}。")
    else:
        click.echo(f"已删除选民 #{done.voter_id} 的个人信息，现记为 {done.pseudonym}：{_counts(done.counts)}。")


@voters.command("export")
@click.argument("who", required=False, metavar="OPENID")
@click.option("--phone", metavar="手机号", help="按手机号找选民。")
@click.option("--out", "out", metavar="文件", type=click.Path(dir_okay=False, writable=True),
              help="写到这个文件（JSON）；默认写到实例文件夹的 exports/ 里。")
@click.option("--by", metavar="操作人", help=BY_HELP)
@json_option
@with_appcontext
@needs_db
def voters_export(who: str | None, phone: str | None, out: str | None, by: str | None, as_json: bool) -> None:
    """把选民 OPENID（或名册编号）的全部数据导出为一个 JSON 文件（本人查阅权）。
    文件含手机号和意见原文，只有本机当前用户可读；每次导出都记入审计日志。"""
    from ..services.privacy import export as service

    ext = current()
    with ext.Session() as session:
        voter = _find(session, who, phone)
        path = out or _default_export(ext, voter.id)
        counts = service.write(session, voter, path, ext.phones, by=_by(by), now=ext.now())
        session.commit()
    if as_json:
        echo_json({"path": path, "counts": counts})
    else:
        click.echo(f"已导出到 {path}：{_counts(counts)}。文件含个人信息，交给本人后请删除。")


def _default_export(ext, voter_id: int) -> str:
    """instance/exports/voter-<id>-<time>.json: inside the instance, a 0700 folder."""
    import os

    from ..infra.files import private_dir
    from ..services.calendar.local_time import BEIJING

    folder = private_dir(os.path.join(ext.settings["INSTANCE_PATH"], "exports"))
    return os.path.join(folder, f"voter-{voter_id}-{ext.now().astimezone(BEIJING):%Y%m%d-%H%M%S}.json")


@voters.command("retention")
@click.option("--today", metavar="日期", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="按这一天计算（YYYY-MM-DD，北京时间）；默认现在。")
@click.option("--dry-run", is_flag=True, help="只统计，不删除。")
@json_option
@with_appcontext
@needs_db
def voters_retention(today, dry_run: bool, as_json: bool) -> None:
    """按保存期限删除（与每天夜里的定时任务相同）：办结满 LIAISON_RETENTION_TICKET_DAYS 天的工单文字，
    满 LIAISON_RETENTION_RAW_DAYS 天的消息原始内容和图片视频。"""
    from ..jobs import tasks

    ext = current()
    done = tasks.retention(ext, today.date() if today else None, dry_run=dry_run)
    if as_json:
        echo_json({"dry_run": dry_run, "counts": done})
        return
    verdict = "将删除（--dry-run，未改动）" if dry_run else "已删除"
    click.echo(f"{verdict}：{_counts(done)}。")
