"""How a command gets its app: built once per invocation, inside its context.

Only commands marked `creates_instance` (serve, demo seed, db upgrade) may
start a new instance; every other command refuses when the instance it looked
for is not there, instead of quietly creating an empty one."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

import click


@dataclass
class State:
    """The `liaison` command's context object. Tests pass one with their app."""

    app: Any = None  # built on first use unless given
    # Staff corrections for `nlp train --include-corrections` (bot.nlp stays app-free).
    corrections_source: Callable[[], list[dict]] | None = None


def creates_instance(command: click.Command) -> click.Command:
    """Mark a command as allowed to create a new instance (folder, database, key)."""
    command.creates_instance = True  # type: ignore[attr-defined]
    return command


def load_app(ctx: click.Context | None = None) -> Any:
    ctx = ctx or click.get_current_context()
    state = ctx.ensure_object(State)
    if state.app is None:
        from config.settings import InstanceMissing, WeChatConfigError

        from .. import create_app

        must_exist = not getattr(ctx.command, "creates_instance", False)
        try:
            app = create_app({"INSTANCE_MUST_EXIST": must_exist})
        except InstanceMissing as exc:
            raise click.ClickException(_missing(exc)) from None
        except WeChatConfigError as exc:
            raise click.ClickException(_wechat_refused(exc)) from None
        except ValueError as exc:  # a setting that does not parse
            raise click.ClickException(f"配置有误：{exc}") from None
        state.app = app
    return state.app


def _wechat_refused(exc: Any) -> str:
    """The WeChat settings' refusal, in Chinese, naming the variables."""
    from config.settings import MIN_TOKEN_CHARS, SANDBOX_TOKEN

    if exc.kind == "half":
        given = "、".join(f"LIAISON_{n}" for n in exc.given)
        missing = "、".join(f"LIAISON_{n}" for n in exc.missing)
        return (f"配置有误：微信设置只填了一部分（已设置 {given}，缺少 {missing}）。\n"
                "正式模式需要同时设置 LIAISON_WECHAT_APP_ID、LIAISON_WECHAT_APP_SECRET 和 LIAISON_WECHAT_TOKEN"
                "（安全模式再加 LIAISON_WECHAT_AES_KEY）；要用沙箱模式，请一个都不要设置。")
    if exc.kind == "dev-token":
        return (f"配置有误：LIAISON_WECHAT_TOKEN 是公开的沙箱令牌 {SANDBOX_TOKEN}，正式模式不能使用。"
                "请在微信公众平台设置自己的令牌（Token）。")
    return (f"配置有误：LIAISON_WECHAT_TOKEN 太短，正式模式至少需要 {MIN_TOKEN_CHARS} 个字符。"
            "微信允许 3 到 32 位英文字母或数字，建议用 32 位随机字母和数字，并在微信公众平台填同一个令牌。")


def _missing(exc: Any) -> str:
    return (f"没有找到 Liaison 实例：{exc.path}（{exc.reason}）。\n"
            "请在实例所在的文件夹运行，或用 --instance 路径 或环境变量 LIAISON_INSTANCE_PATH 指明实例；"
            "新建实例请运行 liaison serve、liaison db upgrade 或 liaison demo seed。")


def with_appcontext(f: Callable[..., Any]) -> Callable[..., Any]:
    """Run the command inside the app's context (the app is built on first use)."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        with load_app(ctx).app_context():
            return ctx.invoke(f, *args, **kwargs)

    return functools.update_wrapper(wrapper, f)


def needs_db(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Commands that read or write data first make sure the schema is there."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from ..extensions import current
        from ..infra.migrate import ensure_current

        engine = current().engine
        try:
            ensure_current(engine)
        except RuntimeError as exc:
            raise click.ClickException(str(exc)) from None
        except SQLAlchemyError as exc:
            where = engine.url.render_as_string(hide_password=True)
            raise click.ClickException(f"连不上数据库 {where}（{type(exc).__name__}）。"
                                       "请检查数据库是否在运行，以及 LIAISON_DATABASE_URL 是否正确。") from None
        return fn(*args, **kwargs)
    return wrapper


def ticket_or_fail(session: Any, number: str) -> Any:
    """The ticket with this number (123 or 2026-000123), or a Chinese refusal."""
    from ..services.tickets.records import by_number

    ticket = by_number(session, number.strip())
    if ticket is None:
        raise click.ClickException(f"没有编号为 {number} 的工单")
    return ticket
