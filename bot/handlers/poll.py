"""The voters' yearly poll in chat: "测评 1 [意见]" (or 满意 / 基本满意 / 不满意
as the whole message, from an invited voter while the poll is open) rates the
next of their deputies. Plain words that are not a poll answer now (no poll
open, not invited, or a resolved ticket waiting for its rating) go on to the
ordinary voter path, and so does anything longer ("不满意，路灯坏了…" is an
opinion: a ticket). Whatever poll.vote answers, it blanks the stored message."""
from __future__ import annotations

from ..messages import Inbound
from ..services.duty import poll
from ..services.outcome import Outcome
from ..services.roster.voters import ensure_voter
from ..services.tickets import ratings
from . import Context, text


def is_vote(msg: Inbound) -> bool:
    return poll.parse(msg.content) is not None


def on_vote(ctx: Context, msg: Inbound) -> Outcome:
    said = poll.parse(msg.content)
    voter = ensure_voter(ctx.session, msg.openid, ctx.now)
    if said is None or (not said.explicit and (ratings.awaiting_rating(ctx.session, voter) is not None
                                               or not poll.invited(ctx.session, voter))):
        return text.on_text(ctx, msg)
    return poll.vote(ctx.session, voter, said, ctx.now, dedupe_key=msg.dedupe_key)
