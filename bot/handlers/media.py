"""Images, video, links and locations: stored with the inbound message; the
voter is asked to say in words what the matter is."""
from __future__ import annotations

from ..jobs import FETCH_MEDIA
from ..messages import Inbound
from ..services import texts
from ..services.roster.voters import ensure_voter
from ..services.tickets import bursts
from . import Context, Result


def on_media(ctx: Context, msg: Inbound) -> Result:
    voter = ensure_voter(ctx.session, msg.openid, ctx.now)
    ticket = bursts.open_in_burst(ctx.session, voter, ctx.now, ctx.station.burst_seconds)
    if ticket is not None:  # a photo or the place of the matter they just told us about
        done = bursts.attach(ctx.session, ticket, msg, ctx.now, by=voter)
        result = Result(reply=done.reply, ticket_id=ticket.id)
        for push in done.pushes:
            result.push(push.id)
        if msg.media_id and msg.msg_type in bursts.DOWNLOADED:  # WeChat keeps media only 3 days
            result.follow_ups.append((FETCH_MEDIA, (ticket.id, msg.media_id)))
        return result
    return Result(reply=texts.MEDIA_RECEIVED.format(what=texts.MEDIA_NAMES.get(msg.msg_type, "消息")))


def on_unknown(ctx: Context, msg: Inbound) -> Result:
    return Result(reply=texts.UNSUPPORTED)
