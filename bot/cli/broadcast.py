"""`liaison broadcast`: staff notices without the console. create, preview,
send (with a live progress bar), status, pause, resume, cancel, campaigns."""
from __future__ import annotations

import time
from datetime import datetime

import click

from ..extensions import current
from ..services.broadcasts import control
from .context import needs_db, with_appcontext
from .output import echo_json, json_option

# The rules (times in Beijing time, when the sender starts, the words) are in services/broadcasts/control.py.
BEIJING_HELP, TARGETS = control.WHEN_HELP, control.TARGETS_HELP
_label = control.status_name


def _when(value: str | None) -> datetime | None:
    try:
        return control.parse_when(value)
    except control.BroadcastError as exc:
        raise click.BadParameter(str(exc)) from None


def _load(session, broadcast_id: int):
    from ..models import Broadcast

    b = session.get(Broadcast, broadcast_id)
    if b is None:
        raise click.ClickException(f"没有编号为 {broadcast_id} 的群发")
    return b


@click.group()
def broadcast() -> None:
    """群发通知：给选民和代表发通知。"""


@broadcast.command("create")
@click.option("--text", metavar="正文", required=True, help="通知正文。")
@click.option("--title", metavar="标题", default="", help="标题（模板消息的第一行）。")
@click.option("--to", "targets", metavar="接收人", default="all", show_default=True, help=f"接收人：{TARGETS}")
@click.option("--at", "at", metavar="时间", default=None, help=f"发送时间（{BEIJING_HELP}）；不写则在 send 时发送。")
@click.option("--by", "author", metavar="姓名", required=True, help="发通知的人。")
@click.option("--template", "template_id", metavar="模板ID", default=None, help="48 小时窗口外使用的模板消息 ID。")
@with_appcontext
@needs_db
def create(text: str, title: str, targets: str, at: str | None, author: str, template_id: str | None) -> None:
    """新建一条群发通知（草稿），并显示接收人数。"""
    from ..services.broadcasts import broadcast as service

    ext = current()
    with ext.Session() as session:
        try:
            b = service.create(session, text=text, title=title, targets=service.parse_targets(targets),
                               author=author, now=ext.now(), scheduled_at=_when(at), template_id=template_id)
            counts = service.preview(session, b)
        except service.BroadcastError as exc:
            raise click.ClickException(control.explain(exc)) from None
        session.commit()
    click.echo(f"群发 #{b.id} 已创建（草稿）：{counts['recipients']} 人接收，{counts['skipped']} 人已取消关注（跳过）。"
               f"发送：liaison broadcast send {b.id}")


@broadcast.command("preview")
@click.argument("broadcast_id", type=int)
@json_option
@with_appcontext
@needs_db
def preview(broadcast_id: int, as_json: bool) -> None:
    """显示群发 BROADCAST_ID 的正文和接收人数。"""
    from ..services.broadcasts import broadcast as service

    with current().Session() as session:
        b = _load(session, broadcast_id)
        counts = service.preview(session, b)
        item = {"id": b.id, "title": b.title, "text": b.text, "targets": b.targets, "status": b.status,
                "scheduled_at": b.scheduled_at.isoformat() if b.scheduled_at else None, **counts}
    if as_json:
        echo_json(item)
    else:
        click.echo(f"#{b.id} [{_label(item['status'])}] {item['title']}\n{item['text']}\n"
                   f"→ {counts['recipients']} 人接收，{counts['skipped']} 人已取消关注（跳过）")


@broadcast.command("send")
@click.argument("broadcast_id", type=int)
@click.option("--at", "at", metavar="时间", default=None, help=f"定时发送（{BEIJING_HELP}）。")
@click.option("--wait", is_flag=True, help="用进度条显示发送进度，发完再退出。")
@click.option("--here", is_flag=True, help="在本进程里发送，不交给后台任务进程。")
@with_appcontext
@needs_db
def send(broadcast_id: int, at: str | None, wait: bool, here: bool) -> None:
    """发送群发 BROADCAST_ID：立即（或按 --at、创建时定的时间）交给后台发送。"""
    from ..jobs import SEND_BROADCAST
    from ..jobs.commit import commit
    from ..services.outcome import Outcome

    ext = current()
    with ext.Session() as session:
        b = _load(session, broadcast_id)
        try:
            due = control.send(session, b, _when(at), ext.now())
        except control.BroadcastError as exc:
            raise click.ClickException(str(exc)) from None
        when = b.scheduled_at
        due = due and not here  # otherwise sent here, or by the dispatcher when its time comes
        commit(ext, session, Outcome().add_job(SEND_BROADCAST, broadcast_id) if due else None)
    if here:
        from ..jobs import sender

        click.echo(f"群发 #{broadcast_id}：{_label(sender.run(ext, broadcast_id))}")
    elif due:
        click.echo(f"群发 #{broadcast_id} 已交给后台发送")
    else:
        click.echo(f"群发 #{broadcast_id} 将于 {control.beijing(when)}（北京时间）发送")
    if wait:
        _watch(broadcast_id)


def _watch(broadcast_id: int) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..models import BroadcastStatus
    from ..services.broadcasts import broadcast as service

    ext = current()
    columns = (TextColumn("[bold]群发 #{task.fields[id]}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("已发 {task.fields[sent]} · 失败 {task.fields[failed]} · 跳过 {task.fields[skipped]}"
                          " · 等待 {task.fields[waiting]} · {task.fields[label]}"),
               TimeElapsedColumn())
    with Progress(*columns) as progress:
        task = progress.add_task("发送", total=None, id=broadcast_id, sent=0, failed=0, skipped=0, waiting=0,
                                 label="")
        while True:
            with ext.Session() as session:
                st = service.status(session, broadcast_id)
            progress.update(task, total=st["total"] or None, completed=st["total"] - st["waiting"],
                            label=_label(st["status"]), **{k: st[k] for k in ("sent", "failed", "skipped", "waiting")})
            if st["status"] in (BroadcastStatus.DONE, BroadcastStatus.CANCELLED, BroadcastStatus.PAUSED,
                                BroadcastStatus.DRAFT):
                break
            time.sleep(0.5)
    _print_status(st, False)


def _print_status(st: dict, as_json: bool) -> None:
    if as_json:
        echo_json(st)
    else:
        reason = st["pause_reason"]
        reason = f"（{control.pause_reason(reason)}）" if reason else ""
        click.echo(f"#{st['id']} {_label(st['status'])}{reason}：已发 {st['sent']}，失败 {st['failed']}，"
                   f"跳过 {st['skipped']}，不确定 {st['unknown']}，等待 {st['waiting']}，共 {st['total']}")


@broadcast.command("status")
@click.argument("broadcast_id", type=int)
@json_option
@with_appcontext
@needs_db
def status(broadcast_id: int, as_json: bool) -> None:
    """群发 BROADCAST_ID 的进度：已发、失败、跳过、不确定（可能已送达，不再重发）和等待的人数。"""
    from ..services.broadcasts import broadcast as service

    with current().Session() as session:
        _load(session, broadcast_id)
        st = service.status(session, broadcast_id)
    _print_status(st, as_json)


def _control(broadcast_id: int, action: str) -> None:
    from ..jobs import SEND_BROADCAST
    from ..jobs.commit import commit
    from ..services.outcome import Outcome

    ext = current()
    with ext.Session() as session:
        b = _load(session, broadcast_id)
        try:
            restart = control.act(session, b, action, ext.now())
        except control.BroadcastError as exc:
            raise click.ClickException(str(exc)) from None
        state = b.status
        commit(ext, session, Outcome().add_job(SEND_BROADCAST, broadcast_id) if restart else None)
    click.echo(f"群发 #{broadcast_id}：{_label(state)}")


@broadcast.command("pause")
@click.argument("broadcast_id", type=int)
@with_appcontext
@needs_db
def pause(broadcast_id: int) -> None:
    """暂停群发 BROADCAST_ID（用 resume 继续）。"""
    _control(broadcast_id, "pause")


@broadcast.command("resume")
@click.argument("broadcast_id", type=int)
@with_appcontext
@needs_db
def resume(broadcast_id: int) -> None:
    """继续发送暂停了的群发 BROADCAST_ID。"""
    _control(broadcast_id, "resume")


@broadcast.command("cancel")
@click.argument("broadcast_id", type=int)
@with_appcontext
@needs_db
def cancel(broadcast_id: int) -> None:
    """取消群发 BROADCAST_ID；还没发出的不再发送。"""
    _control(broadcast_id, "cancel")


@broadcast.command("campaigns")
@click.option("--year", metavar="年份", type=int, default=None, help="从哪一年起（默认今年）。")
@with_appcontext
@needs_db
def campaigns(year: int | None) -> None:
    """预置当年和下一年宣传日（6月5日环境日、6月25日土地日、12月4日宪法日）的通知草稿。"""
    from ..jobs.tasks import prefill

    made = prefill(current(), year)
    click.echo(f"已预置 {len(made)} 条通知草稿" + ("" if made else "（都已存在）"))
