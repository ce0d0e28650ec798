"""Text and voice from voters: opinions become tickets; greetings, questions,
ratings and follow-ups get their own answers."""
from __future__ import annotations

import re

from ..messages import Inbound
from ..services import answers, followup, intake, ratings, texts
from ..services.classify import classify
from ..services.voters import ensure_voter
from . import Context, Result

MAX_TEXT = 2000  # WeChat caps text at 2048 bytes; keep the ticket readable anyway
LONG_QUESTION = 18  # characters; past this a question usually carries a matter to file


def on_text(ctx: Context, msg: Inbound) -> Result:
    return _opinion(ctx, msg, texts.EMPTY_TEXT)


def on_voice(ctx: Context, msg: Inbound) -> Result:
    """Voice arrives with WeChat's recognition text; without it we ask again."""
    return _opinion(ctx, msg, texts.VOICE_UNCLEAR)


def _opinion(ctx: Context, msg: Inbound, if_empty: str) -> Result:
    """Route by what the voter means: only opinions open tickets, and danger
    always does, whatever else the message says."""
    voter = ensure_voter(ctx.session, msg.openid, ctx.now)
    text = (msg.content or "").strip()[:MAX_TEXT]
    if not text:
        return Result(reply=if_empty)
    found = classify(text)
    if found.urgent:
        return _open(ctx, voter, text, found)
    if found.intent == "greeting":
        return Result(reply=texts.THANKS if _is_thanks(text) else texts.GREETING)
    if found.intent == "question":
        answer = answers.answer(ctx.session, voter, found.topic, ctx.now)
        if len(_compact(text)) <= LONG_QUESTION:
            return Result(reply=answer)
        opened = _open(ctx, voter, text, found)  # a question with a complaint in it: answer and file it
        opened.reply = f"{answer}\n{opened.reply}"
        return opened
    if found.intent == "rating":
        rated = ratings.rate(ctx.session, voter, text, ctx.now)
        if rated is not None:
            return Result(reply=rated)
        if ratings.is_bare(text):
            return Result(reply=texts.RATING_NONE)
        # "对村里垃圾处理很不满意" with nothing to rate is a complaint.
    if found.intent == "followup":
        ticket = followup.latest_open(ctx.session, voter)
        if ticket is not None:
            added = followup.add(ctx.session, ticket, text, ctx.now)
            return Result(reply=added.reply, ticket_id=ticket.id).push(added.push.id if added.push else None)
    return _open(ctx, voter, text, found)


def _open(ctx: Context, voter, text: str, found) -> Result:
    done = intake.submit_opinion(ctx.session, voter, text, ctx.now, found, ctx.staff_openids)
    result = Result(reply=done.reply, ticket_id=done.ticket.id)
    for push in done.pushes:
        result.push(push.id)
    return result


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def _is_thanks(text: str) -> bool:
    return any(word in text for word in ("谢", "感谢", "辛苦"))
