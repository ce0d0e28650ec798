"""`liaison triage`: the staff queue of tickets to check, and corrections that
become training examples for `liaison nlp train --include-corrections`."""
from __future__ import annotations

import json

import click
from flask.cli import ScriptInfo, with_appcontext

from ..extensions import current
from .data import needs_db


@click.group()
def triage() -> None:
    """Staff triage queue (分派与纠错)."""


@triage.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_appcontext
@needs_db
def triage_list(as_json: bool) -> None:
    from ..services import triage as service

    with current().Session() as session:
        for t in service.waiting(session):
            item = {"number": t.number, "category": t.category, "confidence": t.confidence, "urgent": t.urgent,
                    "deputy": t.deputy.name if t.deputy else None, "text": t.text}
            if as_json:
                click.echo(json.dumps(item, ensure_ascii=False))
            else:
                flag = "【紧急】" if t.urgent else ""
                click.echo(f"{t.number} {flag}[{t.category} {t.confidence:.2f}] {item['deputy'] or '待分派'}：{t.text[:40]}")


@triage.command("correct")
@click.argument("number")
@click.argument("category")
@click.option("--by", required=True, help="Who corrects (kept with the training example).")
@with_appcontext
@needs_db
def triage_correct(number: str, category: str, by: str) -> None:
    """Set the right CATEGORY of ticket NUMBER; it is kept as a labelled example."""
    from ..services import tickets, triage as service

    ext = current()
    with ext.Session() as session:
        ticket = tickets.by_number(session, number.strip())
        if ticket is None:
            raise click.ClickException(f"没有编号为 {number} 的工单")
        try:
            service.correct(session, ticket, category.strip(), by, ext.now())
        except service.TriageError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
    click.echo(f"{number} → {category}")


def assign_command(number: str, deputy_code: str, by: str) -> None:
    """Assign ticket NUMBER, waiting in the triage queue, to the deputy DEPUTY_CODE."""
    from ..handlers import DELIVER_PUSH
    from ..services import tickets, triage as service

    ext = current()
    with ext.Session() as session:
        ticket = tickets.by_number(session, number.strip())
        if ticket is None:
            raise click.ClickException(f"没有编号为 {number} 的工单")
        try:
            push = service.assign(session, ticket, deputy_code, by, ext.now())
        except service.TriageError as exc:
            raise click.ClickException(str(exc)) from None
        name = ticket.deputy.name
        push_id = push.id if push is not None else None
        session.commit()
    if push_id is not None:  # only after the commit
        ext.enqueue(DELIVER_PUSH, push_id)
    click.echo(f"{number} → {deputy_code.strip()} {name}")


def db_corrections() -> list[dict[str, str]]:
    """Staff corrections from the app's database, for `nlp train --include-corrections`."""
    from ..migrate import ensure_current
    from ..services.triage import corrections

    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    with app.app_context():
        ext = current()
        ensure_current(ext.engine)
        with ext.Session() as session:
            return corrections(session)
