"""`liaison broadcast`: staff notices without the console. create, preview,
send (with a live progress bar), status, pause, resume, cancel, campaigns."""
from __future__ import annotations

import json
import time
from datetime import datetime

import click
from flask.cli import with_appcontext

from ..extensions import current
from .data import needs_db

BEIJING_HELP = "Beijing time, 'YYYY-MM-DD HH:MM'"


def _when(value: str | None) -> datetime | None:
    from ..services.local_time import BEIJING

    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not {BEIJING_HELP}") from None


def _load(session, broadcast_id: int):
    from ..models import Broadcast

    b = session.get(Broadcast, broadcast_id)
    if b is None:
        raise click.ClickException(f"no broadcast {broadcast_id}")
    return b


@click.group()
def broadcast() -> None:
    """通知 Broadcasts to voters and deputies."""


@broadcast.command("create")
@click.option("--text", required=True, help="The notice (Chinese).")
@click.option("--title", default="", help="Shown as the template message's first line.")
@click.option("--to", "targets", default="all", show_default=True,
              help="all | deputies | sites:CODE,.. | villages:CODE,.. | groups:CODE,..")
@click.option("--at", "at", default=None, help=f"Schedule for ({BEIJING_HELP}); send needs it or sends now.")
@click.option("--by", "author", required=True, help="Author.")
@click.option("--template", "template_id", default=None, help="Template id for closed 48-hour windows.")
@with_appcontext
@needs_db
def create(text: str, title: str, targets: str, at: str | None, author: str, template_id: str | None) -> None:
    from ..services import broadcast as service

    ext = current()
    with ext.Session() as session:
        try:
            b = service.create(session, text=text, title=title, targets=service.parse_targets(targets),
                               author=author, now=ext.now(), scheduled_at=_when(at), template_id=template_id)
            counts = service.preview(session, b)
        except service.BroadcastError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
    click.echo(f"broadcast {b.id} created (draft): {counts['recipients']} will receive it, "
               f"{counts['skipped']} skipped (unsubscribed)")


@broadcast.command("preview")
@click.argument("broadcast_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@needs_db
def preview(broadcast_id: int, as_json: bool) -> None:
    """The text and how many will receive it."""
    from ..services import broadcast as service

    with current().Session() as session:
        b = _load(session, broadcast_id)
        counts = service.preview(session, b)
        item = {"id": b.id, "title": b.title, "text": b.text, "targets": b.targets, "status": b.status,
                "scheduled_at": b.scheduled_at.isoformat() if b.scheduled_at else None, **counts}
    if as_json:
        click.echo(json.dumps(item, ensure_ascii=False))
    else:
        click.echo(f"#{b.id} [{item['status']}] {item['title']}\n{item['text']}\n"
                   f"→ {counts['recipients']} 人接收，{counts['skipped']} 人已取消关注（跳过）")


@broadcast.command("send")
@click.argument("broadcast_id", type=int)
@click.option("--at", "at", default=None, help=f"Send later ({BEIJING_HELP}).")
@click.option("--wait", is_flag=True, help="Watch it go out with a progress bar.")
@click.option("--here", is_flag=True, help="Send from this process instead of the workers.")
@with_appcontext
@needs_db
def send(broadcast_id: int, at: str | None, wait: bool, here: bool) -> None:
    """Schedule it (now unless --at or its own time) and hand it to the workers."""
    from ..services import broadcast as service
    from ..tasks import SEND_BROADCAST

    ext = current()
    with ext.Session() as session:
        b = _load(session, broadcast_id)
        try:
            service.schedule(session, b, _when(at), ext.now())
        except service.BroadcastError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        when = service.aware(b.scheduled_at)
    if here:
        from .. import sender

        click.echo(f"broadcast {broadcast_id}: {sender.run(ext, broadcast_id)}")
    elif when <= ext.now():
        ext.enqueue(SEND_BROADCAST, broadcast_id)
        click.echo(f"broadcast {broadcast_id} handed to the workers")
    else:
        click.echo(f"broadcast {broadcast_id} scheduled for {when.isoformat()}")
    if wait:
        _watch(broadcast_id)


def _watch(broadcast_id: int) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..services import broadcast as service

    ext = current()
    columns = (TextColumn("[bold]#{task.fields[id]}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("sent {task.fields[sent]} · failed {task.fields[failed]} · skipped "
                          "{task.fields[skipped]} · waiting {task.fields[waiting]} · {task.fields[status]}"),
               TimeElapsedColumn())
    with Progress(*columns) as progress:
        task = progress.add_task("send", total=None, id=broadcast_id, sent=0, failed=0, skipped=0, waiting=0,
                                 status="")
        while True:
            with ext.Session() as session:
                st = service.status(session, broadcast_id)
            progress.update(task, total=st["total"] or None, completed=st["total"] - st["waiting"],
                            **{k: st[k] for k in ("sent", "failed", "skipped", "waiting", "status")})
            if st["status"] in ("done", "cancelled", "paused", "draft"):
                break
            time.sleep(0.5)
    _print_status(st, False)


def _print_status(st: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(st, ensure_ascii=False))
    else:
        reason = f"（{st['pause_reason']}）" if st["pause_reason"] else ""
        click.echo(f"#{st['id']} {st['status']}{reason}: sent {st['sent']}, failed {st['failed']}, "
                   f"skipped {st['skipped']}, unknown {st['unknown']}, waiting {st['waiting']} / {st['total']}")


@broadcast.command("status")
@click.argument("broadcast_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@needs_db
def status(broadcast_id: int, as_json: bool) -> None:
    """Sent, failed, skipped, unknown and waiting counts."""
    from ..services import broadcast as service

    with current().Session() as session:
        _load(session, broadcast_id)
        st = service.status(session, broadcast_id)
    _print_status(st, as_json)


def _control(broadcast_id: int, action: str) -> None:
    from ..services import broadcast as service
    from ..tasks import SEND_BROADCAST

    ext = current()
    with ext.Session() as session:
        b = _load(session, broadcast_id)
        try:
            if action == "pause":
                service.pause(session, b)
            elif action == "resume":
                service.resume(session, b)
            else:
                service.cancel(session, b, ext.now())
        except service.BroadcastError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        state = b.status
    if action == "resume" and state == "sending":
        ext.enqueue(SEND_BROADCAST, broadcast_id)
    click.echo(f"broadcast {broadcast_id}: {state}")


@broadcast.command("pause")
@click.argument("broadcast_id", type=int)
@with_appcontext
@needs_db
def pause(broadcast_id: int) -> None:
    _control(broadcast_id, "pause")


@broadcast.command("resume")
@click.argument("broadcast_id", type=int)
@with_appcontext
@needs_db
def resume(broadcast_id: int) -> None:
    _control(broadcast_id, "resume")


@broadcast.command("cancel")
@click.argument("broadcast_id", type=int)
@with_appcontext
@needs_db
def cancel(broadcast_id: int) -> None:
    _control(broadcast_id, "cancel")


@broadcast.command("campaigns")
@click.option("--year", type=int, default=None)
@with_appcontext
@needs_db
def campaigns(year: int | None) -> None:
    """Prefill the publicity-day drafts (5 June, 25 June, 4 December) of a year and the next."""
    from ..tasks import prefill

    made = prefill(current(), year)
    click.echo(f"{len(made)} drafts prefilled")
