"""`liaison roster bindings`: deputies' WeChat bindings. A scanned deputy card
waits here until staff confirm it; staff also reject requests and revoke
bindings. Each decision is audited and the people concerned are told on WeChat."""
from __future__ import annotations

import click

from ..extensions import current
from .context import needs_db, with_appcontext
from .output import echo_json, json_option

BY_HELP = "操作人（记入审计日志）；默认是当前系统用户名。"


def _actor(by: str | None) -> str:
    import getpass

    return f"cli:{(by or getpass.getuser()).strip()}"


@click.group(invoke_without_command=True)
@click.pass_context
def bindings(ctx: click.Context) -> None:
    """代表微信绑定：待确认的申请和已绑定的代表；确认、拒绝、解除。"""
    if ctx.invoked_subcommand is None:
        ctx.invoke(bindings_list)


@bindings.command("list")
@json_option
@with_appcontext
@needs_db
def bindings_list(as_json: bool = False) -> None:
    """列出待确认的绑定申请和所有已绑定微信的代表。"""
    from ..services.accounts.bindings import listing

    with current().Session() as session:
        data = listing(session)
    if as_json:
        echo_json(data)
        return
    click.echo(f"待确认的绑定申请：{len(data['pending'])}")
    for r in data["pending"]:
        replaces = f"（将替换已绑定的微信 {r['replaces']}）" if r["replaces"] else ""
        click.echo(f"  申请 {r['id']}  代表 {r['deputy']} {r['name']}  微信 {r['wechat']}  "
                   f"扫码时间 {r['requested_at'][:16]}{replaces}")
    click.echo(f"已绑定微信的代表：{len(data['active'])}")
    for r in data["active"]:
        since = f"  {r['since'][:16]} 由 {r['confirmed_by']} 确认" if r["since"] else "  （名册导入或早于确认流程）"
        click.echo(f"  代表 {r['deputy']} {r['name']}  微信 {r['wechat']}{since}")


def _decide(verb: str, target: str, by: str | None) -> int:
    from ..jobs.commit import commit
    from ..services.accounts import bindings as service
    from ..services.accounts.errors import NotFound

    ext = current()
    with ext.Session() as session:
        try:
            if verb == "revoke":
                outcome = service.revoke(session, target, _actor(by), ext.now())
            else:
                decide = service.confirm if verb == "confirm" else service.reject
                outcome = decide(session, int(target), _actor(by), ext.now())
        except (service.BindingError, NotFound) as exc:
            session.rollback()
            raise click.ClickException(str(exc)) from None
        commit(ext, session, outcome)
    return len(outcome.push_ids)


@bindings.command("confirm")
@click.argument("request_id", type=int)
@click.option("--by", metavar="姓名", help=BY_HELP)
@with_appcontext
@needs_db
def bindings_confirm(request_id: int, by: str | None) -> None:
    """确认绑定申请 REQUEST_ID：该微信成为代表本人，绑定卡作废；原来绑定的微信会收到通知。"""
    pushes = _decide("confirm", str(request_id), by)
    click.echo(f"已确认绑定申请 {request_id}" + ("，原来绑定的微信已收到通知。" if pushes > 1 else "。"))


@bindings.command("reject")
@click.argument("request_id", type=int)
@click.option("--by", metavar="姓名", help=BY_HELP)
@with_appcontext
@needs_db
def bindings_reject(request_id: int, by: str | None) -> None:
    """拒绝绑定申请 REQUEST_ID（例如不是代表本人扫的码）；绑定卡仍可由代表本人使用。"""
    _decide("reject", str(request_id), by)
    click.echo(f"已拒绝绑定申请 {request_id}。")


@bindings.command("revoke")
@click.argument("deputy_code")
@click.option("--by", metavar="姓名", help=BY_HELP)
@with_appcontext
@needs_db
def bindings_revoke(deputy_code: str, by: str | None) -> None:
    """解除代表 DEPUTY_CODE 的微信绑定，并通知该微信；要重新绑定，请为代表印新卡。"""
    _decide("revoke", deputy_code, by)
    click.echo(f"已解除代表 {deputy_code.strip()} 的微信绑定，并已通知该微信。")
