"""Deputies act from their phones: "受理 123", "回复 123 …", "我的工单" …
Recognised before the voter path; someone who is not a deputy saying "帮助"
or "回复…" is handled as a voter. A deputy who is not active (retired, not
yet enabled) gets a refusal for a command word, never a voter ticket; their
"帮助" or "我的工单" and everything else still go the voter way."""
from __future__ import annotations

import logging

from ..messages import Inbound
from ..services import texts
from ..services.outcome import Outcome
from ..services.roster.voters import deputy_by_openid
from ..services.tickets import desk
from . import Context, text

log = logging.getLogger(__name__)


def is_command(msg: Inbound) -> bool:
    return desk.parse(msg.content or "") is not None


def on_command(ctx: Context, msg: Inbound) -> Outcome:
    deputy = deputy_by_openid(ctx.session, msg.openid)
    cmd = desk.parse(msg.content or "")
    if deputy is not None and not deputy.active and cmd.verb in desk.VERBS:
        log.warning("inactive deputy %s sent %s: refused", deputy.code, cmd.verb)
        return Outcome(reply=texts.DEPUTY_NOT_ACTIVE)
    if deputy is None or not deputy.active:
        return text.on_voice(ctx, msg) if msg.msg_type == "voice" else text.on_text(ctx, msg)
    return desk.act(ctx.session, deputy, cmd, ctx.now, ctx.station)
