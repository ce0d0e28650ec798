"""Account events: subscribe/scan bind by QR scene, unsubscribe stops pushes."""
from __future__ import annotations

from ..messages import Inbound
from ..services import texts
from ..services.outcome import Outcome
from ..services.privacy import contact
from ..services.roster import binding
from . import Context


def on_subscribe(ctx: Context, msg: Inbound) -> Outcome:
    return Outcome(reply=binding.bind(ctx.session, msg.openid, msg.scene, ctx.now).reply)


def on_scan(ctx: Context, msg: Inbound) -> Outcome:
    return Outcome(reply=binding.bind(ctx.session, msg.openid, msg.scene, ctx.now).reply)


def on_unsubscribe(ctx: Context, msg: Inbound) -> Outcome:
    contact.unsubscribed(ctx.session, msg.openid)  # history kept; nothing more is sent
    return Outcome(reply=None)  # WeChat shows nothing to someone who left


def on_click(ctx: Context, msg: Inbound) -> Outcome:
    """Menu clicks; menu keys get their own answers as the menu grows."""
    return Outcome(reply=texts.WELCOME)


def on_silent_event(ctx: Context, msg: Inbound) -> Outcome:
    """VIEW, LOCATION, TEMPLATESENDJOBFINISH and other events: stored, no answer."""
    return Outcome(reply=None)
