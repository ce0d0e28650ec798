"""Account events: subscribe/scan bind by QR scene, unsubscribe stops pushes."""
from __future__ import annotations

from ..messages import Inbound
from ..services import menu
from ..services.accounts import bindings
from ..services.outcome import Outcome
from ..services.privacy import contact
from ..services.roster import binding
from . import Context


def on_subscribe(ctx: Context, msg: Inbound) -> Outcome:
    return _bind(ctx, msg)


def on_scan(ctx: Context, msg: Inbound) -> Outcome:
    return _bind(ctx, msg)


def _bind(ctx: Context, msg: Inbound) -> Outcome:
    result = binding.bind(ctx.session, msg.openid, msg.scene, ctx.now)
    outcome = Outcome(reply=result.reply)
    if result.kind == "pending":  # a deputy card was scanned: staff must confirm it
        alerted = bindings.alert_staff(ctx.session, msg.openid, tuple(ctx.station.staff_openids), ctx.now)
        outcome.push_ids += alerted.push_ids
    return outcome


def on_unsubscribe(ctx: Context, msg: Inbound) -> Outcome:
    contact.unsubscribed(ctx.session, msg.openid)  # history kept; nothing more is sent
    return Outcome(reply=None)  # WeChat shows nothing to someone who left


def on_click(ctx: Context, msg: Inbound) -> Outcome:
    """A click button of the custom menu (services/menu.py): 反映问题, 接待日, 我的意见."""
    return Outcome(reply=menu.answer(ctx.session, msg.openid, msg.event_key, ctx.now))


def on_silent_event(ctx: Context, msg: Inbound) -> Outcome:
    """VIEW, LOCATION, TEMPLATESENDJOBFINISH and other events: stored, no answer."""
    return Outcome(reply=None)
