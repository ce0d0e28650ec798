"""`liaison simulate`: a voter's message through the running webhook, and the
`liaison fake-wechat` server for demos and benchmarks."""
from __future__ import annotations

import os
import secrets
import time

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from ..extensions import current
from .data import needs_db


@click.command()
@click.argument("text")
@click.option("--as", "openid", default="oDEMO_voter_01_01", show_default=True, help="Sender openid.")
@click.option("--url", default=lambda: os.environ.get("LIAISON_URL", "http://127.0.0.1:8000"),
              show_default="LIAISON_URL or http://127.0.0.1:8000")
@click.option("--wait", default=10.0, show_default=True, help="Seconds to wait for the pushes.")
@with_appcontext
@needs_db
def simulate(text: str, openid: str, url: str, wait: float) -> None:
    """Send TEXT as a voter to the running webhook; print the reply and the pushes."""
    import requests

    from ..models import InboundMessage, OutboundPush
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
        raise click.ClickException(f"cannot reach {url}: is `liaison serve` running? ({type(exc).__name__})")
    if res.status_code != 200:
        raise click.ClickException(f"webhook answered HTTP {res.status_code}")
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
        waiting = [p for p in pushes if p.status in ("pending", "sending")]
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for p in pushes:
        click.echo(f"推送 → {p.recipient_openid} [{p.status}/{p.channel or '-'}]: {(p.payload or {}).get('text', '')}")
    if not pushes:
        click.echo("推送: (无)")


@click.command("fake-wechat")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9100, show_default=True, type=int)
@click.option("--app-id", default="wxfake", show_default=True)
@click.option("--secret", default="fakesecret", show_default=True)
def fake_wechat(host: str, port: int, app_id: str, secret: str) -> None:
    """Run a local fake of the WeChat API (point LIAISON_WECHAT_API_BASE at it)."""
    from werkzeug.serving import run_simple

    from ..devtools.fake_wechat import FakeWeChat

    run_simple(host, port, FakeWeChat(app_id, secret).app(), threaded=True)
