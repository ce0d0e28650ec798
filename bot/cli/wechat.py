"""`liaison wechat`: the official account's own settings, through the API client.

`liaison wechat menu` publishes the custom menu (自定义菜单, services/menu.py):
反映问题 / 接待日 / 我的 (我的意见, 代表工作). 代表工作 opens the deputies'
phone pages at LIAISON_PUBLIC_BASE_URL + /m/."""
from __future__ import annotations

import click

from ..extensions import current
from .context import with_appcontext
from .output import echo_json

ENTRY = "/m/"  # the phone pages' entry (bot/mobile)


@click.group()
def wechat() -> None:
    """公众号设置：自定义菜单。"""


@wechat.command("menu")
@click.option("--dry-run", is_flag=True, help="只打印要发给微信的菜单 JSON，不提交。")
@with_appcontext
def menu(dry_run: bool) -> None:
    """设置公众号自定义菜单：反映问题、接待日、我的（我的意见、代表工作）。"""
    from ..services.menu import MenuError, build

    ext = current()
    base = ext.settings.get("PUBLIC_BASE_URL")
    if not base:
        raise click.ClickException(
            "没有设置 LIAISON_PUBLIC_BASE_URL：菜单里“代表工作”按钮要打开的对外网址（微信里能访问的 https 地址，"
            "如 https://lianluozhan.example.cn），也是公众号“网页授权域名”里要填的域名。请设置后再运行。")
    try:
        data = build(base + ENTRY)
    except MenuError as exc:
        raise click.ClickException(str(exc)) from None
    if dry_run:
        echo_json(data)
        return
    if ext.sandbox:
        raise click.ClickException("沙箱模式没有连接微信公众号，不能设置菜单。可以用 --dry-run 查看菜单内容；"
                                   "正式模式请先设置 LIAISON_WECHAT_APP_ID、LIAISON_WECHAT_APP_SECRET 和 LIAISON_WECHAT_TOKEN。")
    from requests import RequestException

    from ..wechat import ApiError

    try:
        ext.api.create_menu(data)
    except ApiError as exc:
        raise click.ClickException(f"微信拒绝了菜单（错误码 {exc.code}）：{exc.message}") from None
    except RequestException as exc:
        raise click.ClickException(f"连不上微信接口（{type(exc).__name__}），菜单没有设置，请稍后再试。") from None
    click.echo(f"菜单已设置：反映问题、接待日、我的（我的意见、代表工作 → {base + ENTRY}）。"
               "微信客户端可能要几分钟后才显示新菜单。")
