"""The `liaison` command: one sub-group per area, each imported only when it runs.

A clerk runs dozens of commands a day, so `liaison --help` imports nothing but
click, and `liaison tickets list` only what listing tickets needs."""
from __future__ import annotations

import os
from importlib import import_module
from typing import Any

import click

# name -> (module relative to bot.cli, attribute, one-line help shown by `liaison --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "status": (".status", "status", "查看实例、数据库、Redis、运行模式和待办数量"),
    "serve": (".serve", "serve", "在本机运行全部服务：网页、后台任务和定时任务"),
    "worker": (".serve", "worker", "运行后台任务进程（生产环境可运行多个）"),
    "beat": (".serve", "beat", "运行定时任务（每套部署只运行一个）"),
    "db": (".data", "db", "数据库：升级结构、重新加密"),
    "demo": (".data", "demo", "演示乡镇数据"),
    "tickets": (".data", "tickets", "意见工单：列表、分派、退回、时限检查、导出登记表和列表"),
    "triage": (".triage", "triage", "待分派、待核对的工单和分类更正"),
    "roster": (".roster", "roster", "名册：模板、导入、导出、“3+10”体检"),
    "qr": (".data", "qr", "二维码：场景值、海报、作废"),
    "reception": (".reception", "reception", "接待日：安排、节假日、提醒、改期、预约"),
    "broadcast": (".broadcast", "broadcast", "群发通知：创建、预览、发送、暂停、进度"),
    "sandbox": (".data", "sandbox", "沙箱模式：查看记录下来的推送"),
    "simulate": (".simulate", "simulate", "以选民身份向运行中的服务发一条消息"),
    "fake-wechat": (".simulate", "fake_wechat", "运行本地的微信接口模拟服务（测试和演示用）"),
    "wechat": (".wechat", "wechat", "公众号设置：自定义菜单"),
    "nlp": ("..nlp.cli", "nlp", "消息分类模型：训练、评估、分类"),
    "users": (".users", "users", "账号：新建、列出、停用"),
    "duty": (".duty", "duty", "履职档案：履职活动、“十个一”完成情况、每月提醒"),
    "poll": (".duty_eval", "poll", "选民测评：开始、结束、查看汇总结果"),
    "voters": (".voters", "voters", "选民个人信息：按本人要求删除、导出本人数据、保存期限"),
}


class LiaisonGroup(click.Group):
    """Sub-commands are looked up in COMMANDS and imported on first use;
    click's own messages are shown in Chinese."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module, attr, _ = entry
        return getattr(import_module(module, __package__), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # From the table, so that help imports no command module.
        with formatter.section("命令"):
            formatter.write_dl([(name, entry[2]) for name, entry in COMMANDS.items()])

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from . import zh

        zh.install()
        return super().main(*args, **kwargs)


def _instance(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    # Through the environment, so the worker and beat that `serve` starts use it too.
    if value:
        os.environ["LIAISON_INSTANCE_PATH"] = os.path.abspath(value)


@click.group(cls=LiaisonGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--instance", metavar="路径", expose_value=False, is_eager=True, callback=_instance,
              help="实例文件夹（数据库、密钥等）；默认找环境变量 LIAISON_INSTANCE_PATH，"
                   "再从当前文件夹往上找 instance/。")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Liaison：人大代表联络站微信助手的管理命令。"""
    from .context import State

    state = ctx.ensure_object(State)
    state.corrections_source = state.corrections_source or _db_corrections


def _db_corrections() -> list[dict[str, str]]:
    """Staff corrections from the database, for `liaison nlp train --include-corrections`."""
    from .triage import db_corrections

    return db_corrections()
