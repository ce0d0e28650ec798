"""Images, video, links and locations: stored with the inbound message; the
voter is asked to say in words what the matter is."""
from __future__ import annotations

from ..jobs import FETCH_MEDIA
from ..messages import Inbound
from ..services import texts
from ..services.outcome import Outcome
from ..services.roster.voters import ensure_voter
from ..services.tickets import bursts
from . import Context


def on_media(ctx: Context, msg: Inbound) -> Outcome:
    voter = ensure_voter(ctx.session, msg.openid, ctx.now)
    ticket = bursts.open_in_burst(ctx.session, voter, ctx.now, ctx.station.burst_seconds)
    if ticket is not None:  # a photo or the place of the matter they just told us about
        done = bursts.attach(ctx.session, ticket, msg, ctx.now, by=voter)
        if msg.media_id and msg.msg_type in bursts.DOWNLOADED:  # WeChat keeps media only 3 days
            done.add_job(FETCH_MEDIA, ticket.id, msg.media_id)
        return done
    return Outcome(reply=texts.MEDIA_RECEIVED.format(what=texts.MEDIA_NAMES.get(msg.msg_type, "消息")))


def on_unknown(ctx: Context, msg: Inbound) -> Outcome:
    return Outcome(reply=texts.UNSUPPORTED)
