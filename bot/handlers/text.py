"""Text and voice from voters: opinions become tickets; greetings, questions,
ratings and follow-ups get their own answers."""
from __future__ import annotations

from ..messages import Inbound
from ..services import answers, texts
from ..services.roster.voters import ensure_voter
from ..services.tickets import bursts, followup, intake, ratings
from ..services.tickets.classify import classify
from . import Context, Result

PROGRESS_WORDS = ("进度", "我的意见", "查进度", "查询进度")
MAX_TEXT = 2000  # WeChat caps text at 2048 bytes; keep the ticket readable anyway


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
    if found.urgent:  # danger first: never a rating, a reopen or an add-on, always its own alert
        return _open(ctx, voter, text, found)
    if text.replace(" ", "") in PROGRESS_WORDS:
        return Result(reply=answers.progress(ctx.session, voter))
    if ratings.says_unsolved(text):
        said = ratings.reopen(ctx.session, voter, text, ctx.now, ctx.station.reopen_days)
        if said is not None:
            return _said(said)
    parsed = ratings.leading_score(text)
    if parsed is not None and ratings.awaiting_rating(ctx.session, voter) is not None:
        return _said(ratings.rate(ctx.session, voter, text, ctx.now, parsed))
    if found.intent in ("opinion", "followup"):
        # Within the burst window only what adds to the same matter joins the
        # ticket; another matter, however soon after, is a ticket of its own.
        burst = bursts.open_in_burst(ctx.session, voter, ctx.now, ctx.station.burst_seconds)
        if burst is not None and followup.same_matter(burst, text, found):
            added = followup.add(ctx.session, burst, text, ctx.now, by=voter)
            return _pushed(Result(reply=added.reply, ticket_id=burst.id), added.pushes)
    if found.intent == "greeting":
        return Result(reply=texts.THANKS if _is_thanks(text) else texts.GREETING)
    if found.intent == "question":
        answer = answers.answer(ctx.session, voter, found.topic, ctx.now, text)
        matter = answers.matter_beside(text, found)
        if matter is None:
            return Result(reply=answer)
        opened = _open(ctx, voter, text, matter)  # a question with a complaint in it: answer and file it
        opened.reply = f"{answer}\n{opened.reply}"
        return opened
    if found.intent == "rating" and ratings.is_bare(text):
        return _said(ratings.rate(ctx.session, voter, text, ctx.now))
    # A longer text the model calls a rating ("低保评定不公平，我很不满意") is a
    # complaint: it is filed, never taken as a score for some older ticket.
    if found.intent == "followup":
        ticket = followup.matching_open(ctx.session, voter, text, found)
        if ticket is not None:
            added = followup.add(ctx.session, ticket, text, ctx.now, by=voter)
            return _pushed(Result(reply=added.reply, ticket_id=ticket.id), added.pushes)
    return _open(ctx, voter, text, found)


def _open(ctx: Context, voter, text: str, found) -> Result:
    done = intake.submit_opinion(ctx.session, voter, text, ctx.now, found, ctx.staff_openids)
    result = Result(reply=done.reply, ticket_id=done.ticket.id)
    for push in done.pushes:
        result.push(push.id)
    return result


def _pushed(result: Result, pushes) -> Result:
    for push in pushes:
        result.push(push.id)
    return result


def _said(said: ratings.Said) -> Result:
    result = Result(reply=said.reply, ticket_id=said.ticket_id)
    for push in said.pushes:
        result.push(push.id)
    return result


def _is_thanks(text: str) -> bool:
    return any(word in text for word in ("谢", "感谢", "辛苦"))
