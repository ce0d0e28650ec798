"""Deputies act from their phones: "受理 123", "回复 123 …", "我的工单" …
Recognised before the voter path; someone who is not a deputy saying "帮助"
or "回复…" is handled as a voter."""
from __future__ import annotations

from ..messages import Inbound
from ..services import desk
from ..services.voters import deputy_by_openid
from . import Context, Result, text


def is_command(msg: Inbound) -> bool:
    return desk.parse(msg.content or "") is not None


def on_command(ctx: Context, msg: Inbound) -> Result:
    deputy = deputy_by_openid(ctx.session, msg.openid)
    if deputy is None or not deputy.active:
        return text.on_voice(ctx, msg) if msg.msg_type == "voice" else text.on_text(ctx, msg)
    done = desk.act(ctx.session, deputy, desk.parse(msg.content or ""), ctx.now, ctx.station)
    result = Result(reply=done.reply, ticket_id=done.ticket_id)
    for push in done.pushes:
        result.push(push.id)
    return result
