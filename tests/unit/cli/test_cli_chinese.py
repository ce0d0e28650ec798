"""Click's own messages reach the clerk in Chinese; `--help` imports no command."""
from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from bot.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="liaison")


def test_help_lists_every_area_in_chinese():
    result = run("--help")
    assert result.exit_code == 0
    assert "用法:" in result.output and "显示本说明并退出" in result.output
    assert "意见工单" in result.output and "群发通知" in result.output and "--instance" in result.output


def test_usage_errors_are_chinese():
    assert "没有命令 'lst'。" in run("tickets", "lst").output
    assert "您要用的是不是 'list'" in run("tickets", "lst").output
    bad_number = run("tickets", "list", "--limit", "abc").output
    assert "错误：'--limit' 的取值无效：'abc' 不是有效的数字。" in bad_number
    assert "运行 'liaison tickets list --help' 查看用法。" in bad_number
    missing = run("roster", "import", "/nowhere/名册.xlsx").output
    assert "文件 '/nowhere/名册.xlsx' 不存在。" in missing
    assert "缺少参数 'NUMBER'" in run("tickets", "reject").output
    assert "不在范围" in run("serve", "--port", "70000").output


def test_help_imports_no_command_module():
    code = ("import sys; from bot.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('bot.', 'flask', 'sqlalchemy'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = eval(out.strip().splitlines()[-1])
    assert loaded == ["bot.cli", "bot.cli.zh"], loaded
