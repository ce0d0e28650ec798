"""Text and voice from voters: opinions become tickets; greetings, questions,
ratings and follow-ups get their own answers."""
from __future__ import annotations

from ..jobs import REFINE_CATEGORY
from ..messages import Inbound
from ..services import answers, texts
from ..services.outcome import Outcome
from ..services.roster.voters import ensure_voter
from ..services.tickets import bursts, confidential, followup, intake, ratings, urgent
from ..services.tickets.classify import classify
from . import Context

PROGRESS_WORDS = ("进度", "我的意见", "查进度", "查询进度")
MAX_TEXT = 2000  # WeChat caps text at 2048 bytes; keep the ticket readable anyway


def on_text(ctx: Context, msg: Inbound) -> Outcome:
    return _opinion(ctx, msg, texts.EMPTY_TEXT)


def on_voice(ctx: Context, msg: Inbound) -> Outcome:
    """Voice arrives with WeChat's recognition text; without it we ask again."""
    return _opinion(ctx, msg, texts.VOICE_UNCLEAR)


def _opinion(ctx: Context, msg: Inbound, if_empty: str) -> Outcome:
    """Route by what the voter means: only opinions open tickets, and danger
    always does, whatever else the message says."""
    voter = ensure_voter(ctx.session, msg.openid, ctx.now)
    text = (msg.content or "").strip()[:MAX_TEXT]
    if not text:
        return Outcome(reply=if_empty)
    found = classify(text)
    if found.urgent:  # danger first: never a rating or a reopen; one staff alert per window
        alerted = urgent.alerted_within(ctx.session, voter, ctx.now, ctx.station.urgent_alert_window)
        return urgent.join(ctx.session, alerted, voter, text, ctx.now, ctx.station) if alerted else _open(ctx, voter, text, found)
    if confidential.is_bare_request(text):  # "匿名", "不要告诉代表是我": about what they already said
        return confidential.on_request(ctx.session, voter, ctx.now, ctx.station)
    if text.replace(" ", "") in PROGRESS_WORDS:
        return Outcome(reply=answers.progress(ctx.session, voter))
    if ratings.says_unsolved(text):
        reopened = ratings.reopen(ctx.session, voter, text, ctx.now, ctx.station)
        if reopened is not None:
            return reopened
    parsed = ratings.leading_score(text)
    if parsed is not None and ratings.awaiting_rating(ctx.session, voter) is not None:
        return ratings.rate(ctx.session, voter, text, ctx.now, ctx.station, parsed)
    if found.intent in ("opinion", "followup"):
        # Within the burst window only what adds to the same matter joins the
        # ticket; another matter, however soon after, is a ticket of its own.
        burst = bursts.open_in_burst(ctx.session, voter, ctx.now, ctx.station.burst_seconds)
        if burst is not None and followup.same_matter(burst, text, found):
            return _add(ctx, voter, burst, text)
    if found.intent == "greeting":
        return Outcome(reply=texts.THANKS if _is_thanks(text) else texts.GREETING)
    if found.intent == "question":
        answer = answers.answer(ctx.session, voter, found.topic, ctx.now, text)
        matter = answers.matter_beside(text, found)
        if matter is None:
            return Outcome(reply=answer)
        opened = _open(ctx, voter, text, matter)  # a question with a complaint in it: answer and file it
        opened.reply = f"{answer}\n{opened.reply}"
        return opened
    if found.intent == "rating" and ratings.is_bare(text):
        return ratings.rate(ctx.session, voter, text, ctx.now, ctx.station)
    # A longer text the model calls a rating ("低保评定不公平，我很不满意") is a
    # complaint: it is filed, never taken as a score for some older ticket.
    if found.intent == "followup":
        ticket = followup.matching_open(ctx.session, voter, text, found)
        if ticket is not None:
            return _add(ctx, voter, ticket, text)
    return _open(ctx, voter, text, found)


def _open(ctx: Context, voter, text: str, found) -> Outcome:
    done = intake.submit_opinion(ctx.session, voter, text, ctx.now, found, ctx.station.staff_openids,
                                 ctx.station.mask_village)
    if found.needs_triage and ctx.station.refine_category != "off" and done.ticket_id is not None:
        # The reply does not wait for it: the worker takes a second look once this commits.
        done.add_job(REFINE_CATEGORY, done.ticket_id)
    return done


def _add(ctx: Context, voter, ticket, text: str) -> Outcome:
    """Words added to an open ticket; asking not to be named, or words about its deputy or a
    sensitive matter, take the ticket from its deputy first."""
    finding = confidential.about_holders(ticket, text)
    if finding:
        return confidential.add_privately(ctx.session, voter, ticket, text, ctx.now, ctx.station, finding.reasons,
                                          named=finding.named)
    return followup.add(ctx.session, ticket, text, ctx.now, by=voter)


def _is_thanks(text: str) -> bool:
    return any(word in text for word in ("谢", "感谢", "辛苦"))
