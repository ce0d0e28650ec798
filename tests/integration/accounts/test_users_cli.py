"""`liaison users`: add (password from standard input or typed twice), list
(one JSON document, never a hash), disable, new password."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.models import AuditEvent, Deputy, User
from bot.services.accounts.users import verify_password


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args, **kw: runner.invoke(main, list(args), obj=State(app=app), **kw)


def test_add_reads_the_password_from_stdin(cli, db):
    result = cli("users", "add", "wang.li", "--role", "staff", "--password-stdin", input="correct horse battery\n")
    assert result.exit_code == 0, result.output
    assert "已新建账号 wang.li（工作人员）" in result.output
    user = db.scalar(select(User))
    assert user.role == "staff" and verify_password(user.password_hash, "correct horse battery")
    assert db.scalar(select(AuditEvent.actor).where(AuditEvent.action == "user.create")) == "cli"


def test_add_prompts_twice_without_stdin(cli, db):
    result = cli("users", "add", "admin", "--role", "admin", input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert "a long password" not in result.output  # hidden input
    assert verify_password(db.scalar(select(User)).password_hash, "a long password")


def test_add_refuses_in_chinese(cli, db, demo):
    short = cli("users", "add", "wang.li", "--role", "staff", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "密码至少 10 个字符" in short.output
    no_deputy = cli("users", "add", "dep", "--role", "deputy", "--password-stdin", input="a long password\n")
    assert no_deputy.exit_code == 1 and "代表编号" in no_deputy.output
    assert db.scalar(select(User)) is None
    code = db.scalar(select(Deputy.code).order_by(Deputy.id))
    ok = cli("users", "add", "dep", "--role", "deputy", "--deputy", code, "--password-stdin",
             input="a long password\n")
    assert ok.exit_code == 0 and f"关联代表 {code}" in ok.output


def test_list_json_is_one_document_without_hashes(cli):
    assert json.loads(cli("users", "list", "--json").stdout) == []
    assert "还没有账号" in cli("users", "list").output
    for name in ("wang.li", "zhao"):
        cli("users", "add", name, "--role", "staff", "--password-stdin", input="correct horse battery\n")
    result = cli("users", "list", "--json")
    rows = json.loads(result.stdout)
    assert [r["username"] for r in rows] == ["wang.li", "zhao"]
    assert "argon2" not in result.stdout and all("password_hash" not in r for r in rows)
    assert rows[0]["active"] is True and rows[0]["last_login_at"] is None and rows[0]["created_at"]
    text = cli("users", "list").output
    assert "wang.li  工作人员  正常  上次登录：从未" in text


def test_disable_and_new_password(cli, db):
    cli("users", "add", "wang.li", "--role", "staff", "--password-stdin", input="correct horse battery\n")
    assert cli("users", "disable", "wang.li").exit_code == 2  # --by is required
    result = cli("users", "disable", "wang.li", "--by", "张站长")
    assert result.exit_code == 0 and "账号 wang.li 已停用" in result.output
    assert "已停用" in cli("users", "list").output
    assert db.scalar(select(AuditEvent.actor).where(AuditEvent.action == "user.disable")) == "张站长"
    missing = cli("users", "disable", "ghost", "--by", "张站长")
    assert missing.exit_code == 1 and "没有用户名为 ghost 的账号" in missing.output
    changed = cli("users", "password", "wang.li", "--password-stdin", input="a brand new one\n")
    assert changed.exit_code == 0 and "密码已更新" in changed.output
    db.expire_all()
    assert verify_password(db.scalar(select(User)).password_hash, "a brand new one")
