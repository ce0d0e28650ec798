"""Images, video, links and locations: stored with the inbound message; the
voter is asked to say in words what the matter is."""
from __future__ import annotations

from ..messages import Inbound
from ..services import texts
from ..services.voters import ensure_voter
from . import Context, Result


def on_media(ctx: Context, msg: Inbound) -> Result:
    ensure_voter(ctx.session, msg.openid, ctx.now)
    return Result(reply=texts.MEDIA_RECEIVED.format(what=texts.MEDIA_NAMES.get(msg.msg_type, "消息")))


def on_unknown(ctx: Context, msg: Inbound) -> Result:
    return Result(reply=texts.UNSUPPORTED)
