""""绑定 张三 1234": a voter confirms who they are against the roster."""
from __future__ import annotations

import re

from ..messages import Inbound
from ..services import texts
from ..services.outcome import Outcome
from ..services.roster import binding
from ..services.roster.voters import ensure_voter
from . import Context

PREFIX = "绑定"
COMMAND = re.compile(r"^绑定[\s:：]*([^\d\s]{1,20})\s*(\d{4})$")


def is_claim(msg: Inbound) -> bool:
    """A short message starting with 绑定; a longer one ("绑定银行卡的补贴没发")
    is an opinion that happens to start with the same word."""
    text = (msg.content or "").strip()
    return text.startswith(PREFIX) and (bool(COMMAND.match(text)) or len(text) <= 12)


def on_claim(ctx: Context, msg: Inbound) -> Outcome:
    ensure_voter(ctx.session, msg.openid, ctx.now)
    found = COMMAND.match((msg.content or "").strip())
    if not found:
        return Outcome(reply=texts.CLAIM_HELP)
    if ctx.limiter is None or ctx.phones is None:
        return Outcome(reply=texts.CLAIM_UNAVAILABLE)
    name, digits = found.groups()
    done = binding.claim(ctx.session, msg.openid, name, digits, ctx.now, ctx.phones, ctx.limiter)
    return Outcome(reply=done.reply)
