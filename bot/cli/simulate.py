"""`liaison simulate`: a voter's message through the running webhook, and the
`liaison fake-wechat` server for demos and benchmarks."""
from __future__ import annotations

import os
import secrets
import time

import click
from sqlalchemy import func, select

from ..extensions import current
from .context import needs_db, with_appcontext


@click.command()
@click.argument("text")
@click.option("--as", "openid", metavar="OPENID", default="oDEMO_voter_01_01", show_default=True,
              help="以哪个微信 openid 发送。")
@click.option("--url", metavar="地址", default=lambda: os.environ.get("LIAISON_URL", "http://127.0.0.1:8000"),
              show_default="LIAISON_URL 或 http://127.0.0.1:8000", help="运行中的服务地址。")
@click.option("--wait", metavar="秒", default=10.0, show_default=True, help="等推送发出最多等几秒。")
@with_appcontext
@needs_db
def simulate(text: str, openid: str, url: str, wait: float) -> None:
    """以选民身份向运行中的服务（liaison serve）发一条消息 TEXT，显示回复和由此发出的推送。"""
    import requests

    from ..models import InboundMessage, OutboundPush, PushStatus
    from ..wechat.simulator import read_reply, signed_request, text_xml

    ext = current()
    with ext.Session() as session:  # show only the pushes this message caused
        before = session.scalar(select(func.max(OutboundPush.id))) or 0
    now = int(time.time())
    msg_id = secrets.randbelow(2**62)
    query, body = signed_request(ext.gate, text_xml(openid, text, msg_id, now), now)
    try:
        res = requests.post(url.rstrip("/") + "/wechat", params=query, data=body, timeout=10,
                            headers={"Content-Type": "text/xml"})
    except requests.RequestException as exc:
        raise click.ClickException(f"连不上 {url}：liaison serve 在运行吗？地址不同请用 --url 指明"
                                   f"（{type(exc).__name__}）") from None
    if res.status_code != 200:
        raise click.ClickException(f"服务返回了错误：HTTP {res.status_code}")
    reply = read_reply(ext.gate, res.text)
    click.echo(f"回复: {reply.get('Content') if reply else '(无)'}")
    deadline = time.monotonic() + wait
    while True:
        with ext.Session() as session:
            ticket_id = session.scalar(select(InboundMessage.ticket_id)
                                       .where(InboundMessage.dedupe_key == f"{openid}:{msg_id}"))
            pushes = session.scalars(select(OutboundPush).where(OutboundPush.ticket_id == ticket_id,
                                                                OutboundPush.id > before)
                                     .order_by(OutboundPush.id)).all() if ticket_id else []
        waiting = [p for p in pushes if p.status in (PushStatus.PENDING, PushStatus.SENDING)]
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for p in pushes:
        click.echo(f"推送 → {p.recipient_openid} [{p.status}/{p.channel or '-'}]: {(p.payload or {}).get('text', '')}")
    if not pushes:
        click.echo("推送: (无)")


@click.command("fake-wechat")
@click.option("--host", metavar="地址", default="127.0.0.1", show_default=True, help="监听的地址。")
@click.option("--port", metavar="端口", default=9100, show_default=True, type=int, help="监听的端口。")
@click.option("--app-id", metavar="APPID", default="wxfake", show_default=True, help="模拟的 AppID。")
@click.option("--secret", metavar="密钥", default="fakesecret", show_default=True, help="模拟的 AppSecret。")
def fake_wechat(host: str, port: int, app_id: str, secret: str) -> None:
    """运行本地的微信接口模拟服务（测试和演示用；把 LIAISON_WECHAT_API_BASE 指向它）。"""
    from werkzeug.serving import run_simple

    from ..devtools.fake_wechat import FakeWeChat

    run_simple(host, port, FakeWeChat(app_id, secret).app(), threaded=True)
