"""Text and voice from voters: opinions become tickets; greetings, questions,
ratings and follow-ups get their own answers."""
from __future__ import annotations

from ..messages import Inbound
from ..services import answers, followup, intake, ratings, texts
from ..services.classify import classify
from ..services.voters import ensure_voter
from . import Context, Result

MAX_TEXT = 2000  # WeChat caps text at 2048 bytes; keep the ticket readable anyway


def on_text(ctx: Context, msg: Inbound) -> Result:
    return _opinion(ctx, msg, texts.EMPTY_TEXT)


def on_voice(ctx: Context, msg: Inbound) -> Result:
    """Voice arrives with WeChat's recognition text; without it we ask again."""
    return _opinion(ctx, msg, texts.VOICE_UNCLEAR)


def _opinion(ctx: Context, msg: Inbound, if_empty: str) -> Result:
    """Route by what the voter means: only opinions open tickets."""
    voter = ensure_voter(ctx.session, msg.openid, ctx.now)
    text = (msg.content or "").strip()[:MAX_TEXT]
    if not text:
        return Result(reply=if_empty)
    found = classify(text)
    if found.intent == "greeting":
        return Result(reply=texts.THANKS if _is_thanks(text) else texts.GREETING)
    if found.intent == "question":
        return Result(reply=answers.answer(ctx.session, voter, found.topic, ctx.now))
    if found.intent == "rating":
        return Result(reply=ratings.rate(ctx.session, voter, text, ctx.now))
    if found.intent == "followup":
        ticket = followup.latest_open(ctx.session, voter)
        if ticket is not None:
            added = followup.add(ctx.session, ticket, text, ctx.now)
            return Result(reply=added.reply, ticket_id=ticket.id).push(added.push.id if added.push else None)
    done = intake.submit_opinion(ctx.session, voter, text, ctx.now, found, ctx.staff_openids)
    result = Result(reply=done.reply, ticket_id=done.ticket.id)
    for push in done.pushes:
        result.push(push.id)
    return result


def _is_thanks(text: str) -> bool:
    return any(word in text for word in ("谢", "感谢", "辛苦"))
