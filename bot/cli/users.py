"""`liaison users`: console accounts: add, list, disable, new password."""
from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

import click

from .context import needs_db, with_appcontext
from .output import LIST_JSON_HELP, echo_json

ROLE_HELP = "角色：admin（管理员）、staff（工作人员）、county（县人大）、deputy（代表）。"
STDIN_HELP = "从标准输入读密码（第一行），不在终端提示。"


@click.group()
def users() -> None:
    """网页工作台的账号：新建、列出、停用、改密码。"""


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次密码")


@users.command("add")
@click.argument("username")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--deputy", "deputy_code", metavar="编号", help="代表账号：名册里的代表编号。")
@click.option("--password-stdin", is_flag=True, help=STDIN_HELP)
@click.option("--by", default="cli", show_default=True, help="操作人（记入审计日志）。")
@with_appcontext
@needs_db
def users_add(username: str, role: str, deputy_code: str | None, password_stdin: bool, by: str) -> None:
    """新建账号 USERNAME。"""
    from ..extensions import current
    from ..services.accounts import AccountError
    from ..services.accounts import users as service
    from ..services.accounts.errors import ROLE_NAMES

    password = _password(password_stdin)
    ext = current()
    with ext.Session() as session:
        try:
            user = service.create(session, username=username, password=password, role=role.strip(),
                                  deputy_code=deputy_code, by=by, now=ext.now())
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        deputy = f"，关联代表 {user.deputy.code} {user.deputy.name}" if user.deputy else ""
        session.commit()
    click.echo(f"已新建账号 {username.strip()}（{ROLE_NAMES[role.strip()]}{deputy}）。")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help=LIST_JSON_HELP)
@with_appcontext
@needs_db
def users_list(as_json: bool) -> None:
    """列出全部账号（不含密码）。"""
    from ..extensions import current
    from ..services.accounts import users as service

    ext = current()
    with ext.Session() as session:
        rows = service.listing(session)
    if as_json:
        echo_json([{k: _plain(v) for k, v in row.items()} for row in rows])
        return
    if not rows:
        click.echo("还没有账号。新建：liaison users add 用户名 --role staff")
        return
    now = ext.now()
    for row in rows:
        click.echo(_line(row, now))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _line(row: dict[str, Any], now: datetime) -> str:
    from ..services.accounts.errors import ROLE_NAMES
    from ..services.calendar.local_time import BEIJING

    def when(value: datetime | None) -> str:
        return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if value else "从未"

    state = "正常" if row["active"] else "已停用"
    if row["active"] and row["locked_until"] and row["locked_until"] > now:
        state = f"锁定到 {when(row['locked_until'])}"
    deputy = f" {row['deputy_code']} {row['deputy_name']}" if row["deputy_code"] else ""
    return (f"{row['username']}  {ROLE_NAMES.get(row['role'], row['role'])}{deputy}  {state}  "
            f"上次登录：{when(row['last_login_at'])}  创建：{when(row['created_at'])}")


@users.command("disable")
@click.argument("username")
@click.option("--by", required=True, help="操作人（记入审计日志）。")
@with_appcontext
@needs_db
def users_disable(username: str, by: str) -> None:
    """停用账号 USERNAME：不能再登录（记录保留）。"""
    from ..extensions import current
    from ..services.accounts import AccountError
    from ..services.accounts import users as service

    ext = current()
    with ext.Session() as session:
        try:
            user = service.disable(session, username, by=by, now=ext.now())
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        name = user.username
        session.commit()
    click.echo(f"账号 {name} 已停用。")


@users.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help=STDIN_HELP)
@click.option("--by", default="cli", show_default=True, help="操作人（记入审计日志）。")
@with_appcontext
@needs_db
def users_password(username: str, password_stdin: bool, by: str) -> None:
    """给账号 USERNAME 设新密码（同时解除锁定）。"""
    from ..extensions import current
    from ..services.accounts import AccountError
    from ..services.accounts import users as service

    password = _password(password_stdin)
    ext = current()
    with ext.Session() as session:
        try:
            user = service.set_password(session, username, password, by=by, now=ext.now())
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        name = user.username
        session.commit()
    click.echo(f"账号 {name} 的密码已更新。")
