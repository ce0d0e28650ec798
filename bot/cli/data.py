"""Data commands: db, demo, tickets, qr, sandbox."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import current


def needs_db(fn):
    """Commands that read or write data first make sure the schema is there."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ..migrate import ensure_current

        try:
            ensure_current(current().engine)
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None
        return fn(*args, **kwargs)
    return wrapper


def _json_line(obj: dict) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, default=str))


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply all migrations."""
    from ..migrate import upgrade

    upgrade(current().engine)
    click.echo("database is up to date")


@click.group()
def demo() -> None:
    """The demo township."""


@demo.command("seed")
@click.option("--seed", "rng_seed", default=2026, show_default=True, help="Random seed for names.")
@with_appcontext
def demo_seed(rng_seed: int) -> None:
    """Create the demo township of the source report (idempotent: refuses a non-empty roster)."""
    from ..migrate import upgrade
    from ..services.demo import RosterNotEmpty, seed

    ext = current()
    upgrade(ext.engine)
    with ext.Session() as session:
        try:
            stats = seed(session, rng_seed, box=ext.phones)
        except RosterNotEmpty as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
    click.echo(json.dumps(stats, ensure_ascii=False))


@click.group()
def tickets() -> None:
    """Opinion tickets."""


@tickets.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--limit", default=100, show_default=True)
@with_appcontext
@needs_db
def tickets_list(as_json: bool, limit: int) -> None:
    from ..models import Ticket

    with current().Session() as session:
        rows = session.scalars(select(Ticket).order_by(Ticket.id.desc()).limit(limit)).all()
        for t in rows:
            item = {"number": t.number, "status": t.status, "category": t.category,
                    "confidence": t.confidence, "voter_openid": t.voter.openid,
                    "deputy": t.deputy.name if t.deputy else None,
                    "created_at": t.created_at.isoformat()}
            if as_json:
                _json_line(item)
            else:
                click.echo(f"{t.number}  {t.status:<10} {t.category:<8} {item['deputy'] or '待分派'}  {t.text[:30]}")


@tickets.command("sla")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run for this date (YYYY-MM-DD, Beijing); default today.")
@with_appcontext
@needs_db
def tickets_sla(today) -> None:
    """SLA reminders and breach escalation (what the daily beat job does)."""
    from .. import tasks

    done = tasks.sla(current(), today.date() if today else None)
    _json_line(done)


@tickets.command("reject")
@click.argument("number")
@click.argument("reason")
@click.option("--by", required=True, help="Who rejects (kept in the ticket's history).")
@with_appcontext
@needs_db
def tickets_reject(number: str, reason: str, by: str) -> None:
    """Reject ticket NUMBER as not an opinion; the voter is told REASON."""
    from ..handlers import DELIVER_PUSH
    from ..services import lifecycle
    from ..services.tickets import by_number

    ext = current()
    with ext.Session() as session:
        ticket = by_number(session, number.strip())
        if ticket is None:
            raise click.ClickException(f"没有编号为 {number} 的工单")
        try:
            push_ids = [p.id for p in lifecycle.reject(session, ticket, reason, by, ext.now())]
        except (lifecycle.NotAllowed, ValueError) as exc:
            raise click.ClickException(f"{number} 不能退回：{exc}") from None
        session.commit()
    for push_id in push_ids:  # only after the commit
        ext.enqueue(DELIVER_PUSH, push_id)
    click.echo(f"{number} → rejected")


@tickets.command("assign")
@click.argument("number")
@click.argument("deputy_code")
@click.option("--by", required=True, help="Who assigns (kept in the ticket's history).")
@with_appcontext
@needs_db
def tickets_assign(number: str, deputy_code: str, by: str) -> None:
    """Assign ticket NUMBER from the triage queue to deputy DEPUTY_CODE (who is told on WeChat)."""
    from .triage import assign_command

    assign_command(number, deputy_code, by)


@click.group()
def qr() -> None:
    """Parametric QR scenes."""


@qr.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--private", is_flag=True, help="Include deputies' private binding scenes.")
@with_appcontext
@needs_db
def qr_list(as_json: bool, private: bool) -> None:
    from ..services.scenes import all_scenes

    with current().Session() as session:
        for item in all_scenes(session, include_private=private):
            if as_json:
                _json_line(item)
            else:
                click.echo(f"{item['kind']:<7} {item['id']:>4}  {item['scene']:<40} {item['name']}")


@click.group()
def sandbox() -> None:
    """Sandbox mode (no WeChat credentials): pushes recorded locally."""


@sandbox.command("outbox")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
@needs_db
def sandbox_outbox(limit: int, as_json: bool) -> None:
    """Print the most recent pushes."""
    from ..models import OutboundPush

    with current().Session() as session:
        rows = session.scalars(select(OutboundPush).order_by(OutboundPush.id.desc()).limit(limit)).all()
        for p in reversed(rows):
            item = {"id": p.id, "to": p.recipient_openid, "kind": p.kind, "status": p.status,
                    "channel": p.channel, "text": (p.payload or {}).get("text", ""),
                    "created_at": p.created_at.isoformat()}
            if as_json:
                _json_line(item)
            else:
                click.echo(f"#{p.id} [{p.status}/{p.channel or '-'}] → {p.recipient_openid}: {item['text']}")


@qr.command("posters")
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--site", "sites", multiple=True, help="Only this site's posters (site code; repeatable).")
@click.option("--format", "fmt", type=click.Choice(["png", "pdf"]), default="png", show_default=True)
@click.option("--deputies", is_flag=True, help="Also each deputy's private binding card (hand out, never post).")
@with_appcontext
@needs_db
def qr_posters(outdir: str, sites: tuple[str, ...], fmt: str, deputies: bool) -> None:
    """Write an A4 poster per site and per fixed-voter group. In production the
    QR is WeChat's permanent code (requested once, then cached); in sandbox mode a local stand-in."""
    from pathlib import Path

    from ..services import posters, qr as qr_service

    ext = current()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    create = None if ext.sandbox else ext.api.create_qr
    with ext.Session() as session:
        items = qr_service.posters(session, sites, deputies)
        if not items:
            raise click.ClickException("no site matches: check --site against `liaison qr list`")
        for item in items:
            content = qr_service.content_for(session, item.scene, create)
            session.commit()  # a fetched ticket is kept even if a later one fails
            path = out / f"{item.kind}-{item.code}.{fmt}"
            posters.save(posters.render(item, content, ext.sandbox), path)
            title = item.deputy.name if item.deputy else item.group.name if item.group else item.site.name
            click.echo(f"{path}  {title}")
    click.echo(f"{len(items)} posters in {out}" + ("  (sandbox: QR codes are stand-ins)" if ext.sandbox else ""))


@qr.command("revoke")
@click.argument("scene")
@with_appcontext
@needs_db
def qr_revoke(scene: str) -> None:
    """Stop a QR code: group:<code> (members stay) or deputy:<deputy code> (issues a new private code)."""
    from ..services.binding import revoke_group, rotate_deputy_token

    ext = current()
    kind, _, code = scene.partition(":")
    with ext.Session() as session:
        if kind == "group":
            found = revoke_group(session, code, ext.now())
        elif kind == "deputy":
            found = rotate_deputy_token(session, code)
        else:
            raise click.ClickException("SCENE must be group:<code> or deputy:<deputy code>")
        if found is None:
            raise click.ClickException(f"no {kind} with code {code!r}")
        session.commit()
    click.echo(f"revoked {scene}")
