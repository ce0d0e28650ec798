"""`liaison triage`: the staff queue of tickets to check, and corrections that
become training examples for `liaison nlp train --include-corrections`."""
from __future__ import annotations

import click

from ..extensions import current
from .context import load_app, needs_db, ticket_or_fail, with_appcontext
from .output import emit, list_options


@click.group()
def triage() -> None:
    """待分派、待核对的工单，以及分类更正。"""


@triage.command("list")
@list_options
@with_appcontext
@needs_db
def triage_list(as_json: bool, as_jsonl: bool) -> None:
    """待分派和分类把握不大、待核对的工单。"""
    from ..services.tickets import triage as service

    rows = []
    with current().Session() as session:
        for t in service.waiting(session):
            item = {"number": t.number, "category": t.category, "confidence": t.confidence, "urgent": t.urgent,
                    "deputy": t.deputy.name if t.deputy else None, "text": t.text}
            flag = "【紧急】" if t.urgent else ""
            rows.append((item, f"{t.number} {flag}[{t.category} {t.confidence:.2f}] "
                               f"{item['deputy'] or '待分派'}：{t.text[:40]}"))
    emit(rows, as_json, as_jsonl, empty="没有待分派或待核对的工单。")


@triage.command("correct")
@click.argument("number")
@click.argument("category")
@click.option("--by", required=True, help="更正人（和训练样本一起保存）。")
@with_appcontext
@needs_db
def triage_correct(number: str, category: str, by: str) -> None:
    """把工单 NUMBER 的分类改为 CATEGORY；更正保存为训练样本（liaison nlp train --include-corrections）。"""
    from ..services.tickets import triage as service

    ext = current()
    with ext.Session() as session:
        ticket = ticket_or_fail(session, number)
        try:
            service.correct(session, ticket, category.strip(), by, ext.now())
        except service.TriageError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
    click.echo(f"{number} 的分类已改为 {category.strip()}，已保存为训练样本。")


def assign_command(number: str, deputy_code: str, by: str) -> None:
    """Assign ticket NUMBER, waiting in the triage queue, to the deputy DEPUTY_CODE."""
    from ..jobs.commit import commit
    from ..services.outcome import Outcome
    from ..services.tickets import triage as service

    ext = current()
    with ext.Session() as session:
        ticket = ticket_or_fail(session, number)
        try:
            push = service.assign(session, ticket, deputy_code, by, ext.now())
        except service.TriageError as exc:
            raise click.ClickException(str(exc)) from None
        name = ticket.deputy.name
        done = commit(ext, session, Outcome().add_pushes([push]))
    click.echo(f"{number} 已分派给 {name} 代表（{deputy_code.strip()}）"
               + ("，代表会收到微信推送。" if done.push_ids else "。"))


def db_corrections() -> list[dict[str, str]]:
    """Staff corrections from the app's database, for `nlp train --include-corrections`."""
    from ..infra.migrate import ensure_current
    from ..services.tickets.triage import corrections

    app = load_app()
    with app.app_context():
        ext = current()
        ensure_current(ext.engine)
        with ext.Session() as session:
            return corrections(session)
