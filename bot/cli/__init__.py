"""The `liaison` command: a Flask CLI group with one sub-group per area."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup


def _create_app():
    from .. import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def main() -> None:
    """Liaison: 人大代表联络站 WeChat bot."""


def _register() -> None:
    from ..nlp import cli as nlp_cli
    from . import broadcast, data, reception, roster, serve, simulate, triage

    nlp_cli.corrections_source = triage.db_corrections
    main.add_command(nlp_cli.nlp)
    main.add_command(triage.triage)
    main.add_command(serve.serve)
    main.add_command(serve.worker)
    main.add_command(serve.beat)
    main.add_command(data.db)
    main.add_command(data.demo)
    main.add_command(data.tickets)
    main.add_command(data.qr)
    main.add_command(roster.roster)
    main.add_command(reception.reception)
    main.add_command(broadcast.broadcast)
    main.add_command(data.sandbox)
    main.add_command(simulate.simulate)
    main.add_command(simulate.fake_wechat)


_register()
