"""Reception-day commands that the classifier need not guess: "预约",
"取消预约", "值班代表", and for deputies on duty "预约名单"."""
from __future__ import annotations

from ..messages import Inbound
from ..services import answers, texts
from ..services.outcome import Outcome
from ..services.reception import bookings
from ..services.reception.calendar import beijing_today
from ..services.roster.voters import deputy_by_openid, ensure_voter
from . import Context

BOOK = ("预约", "我要预约", "预约接待")
CANCEL = ("取消预约", "不去了取消预约")
DUTY = ("值班代表", "谁值班", "值班代表是谁", "哪位代表值班")
LIST = ("预约名单", "预约情况")
COMMANDS = frozenset(BOOK + CANCEL + DUTY + LIST)


def _text(msg: Inbound) -> str:
    return (msg.content or "").strip().strip("。！？!?. ")


def is_command(msg: Inbound) -> bool:
    return _text(msg) in COMMANDS


def on_command(ctx: Context, msg: Inbound) -> Outcome:
    text = _text(msg)
    today = beijing_today(ctx.now)
    if text in LIST:
        deputy = deputy_by_openid(ctx.session, msg.openid)
        if deputy is not None:
            return Outcome(reply=bookings.duty_list(ctx.session, deputy, today))
    voter = ensure_voter(ctx.session, msg.openid, ctx.now)
    if text in BOOK:
        return Outcome(reply=bookings.book(ctx.session, voter, today))
    if text in CANCEL:
        return Outcome(reply=bookings.cancel(ctx.session, voter, today))
    if text in LIST:
        return Outcome(reply=texts.BOOKING_LIST_NONE)
    return Outcome(reply=answers.on_duty(ctx.session, voter, ctx.now))
