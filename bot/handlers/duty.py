"""Deputies fill their duty record (履职档案) from WeChat: "签到" on a reception
day, "走访 地点 走访情况" for a visit note (民情笔记), and the photos or voice
note sent just after it. Someone who is not an active deputy goes the voter
way, as with the desk commands (handlers/deputy.py)."""
from __future__ import annotations

import logging

from ..jobs import FETCH_MEDIA
from ..messages import Inbound
from ..services import texts
from ..services.duty import checkin, visits
from ..services.duty.activities import DutyError
from ..services.outcome import Outcome
from ..services.roster.voters import deputy_by_openid
from ..services.tickets import bursts, on_behalf
from . import Context, media, text

log = logging.getLogger(__name__)

ATTACHED = ("image", "voice", "video", "shortvideo")


def is_check_in(msg: Inbound) -> bool:
    return checkin.is_check_in(msg.content or "")


def is_visit(msg: Inbound) -> bool:
    return visits.is_visit(msg.content)


def _as_voter(ctx: Context, msg: Inbound) -> Outcome:
    if msg.msg_type == "voice":
        return text.on_voice(ctx, msg)
    if msg.msg_type == "text":
        return text.on_text(ctx, msg)
    return media.on_media(ctx, msg)


def on_check_in(ctx: Context, msg: Inbound) -> Outcome:
    deputy = deputy_by_openid(ctx.session, msg.openid)
    if deputy is None:
        return _as_voter(ctx, msg)
    if not deputy.active:
        return Outcome(reply=texts.DEPUTY_NOT_ACTIVE)
    return Outcome(reply=checkin.check_in(ctx.session, deputy, ctx.now))


def on_visit(ctx: Context, msg: Inbound) -> Outcome:
    """"走访 新民村 李大爷家 代为反映 灌溉渠堵塞": one visit activity; a ticket too when the deputy
    wrote "代为反映" (or the matter is urgent)."""
    deputy = deputy_by_openid(ctx.session, msg.openid)
    if deputy is None:
        return _as_voter(ctx, msg)
    if not deputy.active:
        return Outcome(reply=texts.DEPUTY_NOT_ACTIVE)
    note = visits.parse(msg.content)
    if note is None:
        return Outcome(reply=texts.VISIT_USAGE)
    try:
        activity = visits.record_visit(ctx.session, deputy, note, ctx.now,
                                       visits.inbound_id(ctx.session, msg.dedupe_key))
    except DutyError as exc:
        return Outcome(reply=f"{exc}。{texts.VISIT_USAGE}")
    said = activity.note.rstrip("。.！!；;，, ")
    reply = texts.VISIT_RECORDED.format(date=f"{activity.day.month}月{activity.day.day}日", place=activity.place,
                                        note=texts.VISIT_NOTE.format(note=said) if said else "")
    if ctx.station.visit_media_minutes > 0:
        reply += texts.VISIT_MEDIA_HINT.format(minutes=ctx.station.visit_media_minutes)
    why, found = on_behalf.reports_problem(note.note)
    if why == on_behalf.SUGGEST:  # a problem, maybe, but nobody said the voter agreed: no ticket
        return Outcome(reply=reply + texts.VISIT_SUGGEST_ON_BEHALF)
    if why is None:
        return Outcome(reply=reply)
    done = on_behalf.report(ctx.session, deputy, note.place, note.note, ctx.now, ctx.station, found, why)
    log.info("deputy %s: visit note %s opened a ticket on a voter's behalf", deputy.code, activity.id)
    done.reply = reply + (done.reply or "")
    return done


def on_attachment(ctx: Context, msg: Inbound) -> Outcome:
    """A photo, video or voice note from a deputy just after a visit note joins it;
    anything else (and anyone else's) goes where it always went."""
    deputy = deputy_by_openid(ctx.session, msg.openid) if msg.media_id else None
    visit = (visits.recent(ctx.session, deputy, ctx.now, ctx.station.visit_media_minutes)
             if deputy is not None and deputy.active else None)
    if visit is None:
        return _as_voter(ctx, msg)
    what = texts.VISIT_MEDIA_NAMES.get(msg.msg_type, "附件")
    try:
        count = visits.attach(ctx.session, visit, msg.media_id, msg.content if msg.msg_type == "voice" else "")
    except DutyError:
        return Outcome(reply=texts.VISIT_MEDIA_FULL.format(count=len(visit.photos)))
    day = visit.day
    done = Outcome(reply=texts.VISIT_MEDIA_ADDED.format(what=what, date=f"{day.month}月{day.day}日",
                                                        place=visit.place, count=count))
    ticket_id = visits.ticket_of(ctx.session, visit) if msg.msg_type in bursts.DOWNLOADED else None
    ticket = on_behalf.attach(ctx.session, ticket_id, deputy, msg.msg_type, msg.media_id, ctx.now) \
        if ticket_id else None
    if ticket is not None:  # the visit filed a ticket: the photo is its evidence too, saved by the worker
        done.ticket_id = ticket.id
        done.reply += texts.VISIT_MEDIA_TICKET.format(number=ticket.number)
        done.add_job(FETCH_MEDIA, ticket.id, msg.media_id)
    return done


__all__ = ["ATTACHED", "is_check_in", "is_visit", "on_attachment", "on_check_in", "on_visit"]
