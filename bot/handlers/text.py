"""Text and voice from voters: each non-empty one becomes an opinion ticket."""
from __future__ import annotations

from ..messages import Inbound
from ..services import intake, texts
from ..services.voters import ensure_voter
from . import Context, Result

MAX_TEXT = 2000  # WeChat caps text at 2048 bytes; keep the ticket readable anyway


def on_text(ctx: Context, msg: Inbound) -> Result:
    return _opinion(ctx, msg, texts.EMPTY_TEXT)


def on_voice(ctx: Context, msg: Inbound) -> Result:
    """Voice arrives with WeChat's recognition text; without it we ask again."""
    return _opinion(ctx, msg, texts.VOICE_UNCLEAR)


def _opinion(ctx: Context, msg: Inbound, if_empty: str) -> Result:
    voter = ensure_voter(ctx.session, msg.openid, ctx.now)
    text = (msg.content or "").strip()[:MAX_TEXT]
    if not text:
        return Result(reply=if_empty)
    done = intake.submit_opinion(ctx.session, voter, text, ctx.now)
    return Result(reply=done.reply, ticket_id=done.ticket.id).push(done.push.id if done.push else None)
