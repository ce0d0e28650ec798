"""A voter rating the handling of their resolved opinion (1–5), once."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Ticket, Voter
from . import texts
from .tickets import record

RATE_WITHIN = timedelta(days=7)  # after a week a stray "5" rates nothing
# Longest words first, so 很不满意 is not read as 满意.
WORDS = (("非常不满意", 1), ("很不满意", 1), ("不满意", 2), ("基本满意", 3), ("非常满意", 5), ("很满意", 5),
         ("满意", 4))
# A digit counts only as the whole message: "等了5天" is not a score of 5.
BARE = re.compile(r"^(打|给|评)?([1-5])(分|星|颗星)?$")
_NOT_WORD = re.compile(r"[\W_]+")


def _compact(text: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or ""))


def is_bare(text: str) -> bool:
    """Only a score: a digit, or a satisfaction word with little else."""
    compact = _compact(text)
    return bool(BARE.match(compact)) or (len(compact) <= 6 and any(w in compact for w, _ in WORDS))


def score(text: str) -> int | None:
    compact = _compact(text)
    for word, value in WORDS:
        if word in compact:
            return value
    bare = BARE.match(compact)
    return int(bare.group(2)) if bare else None


def rate(session: Session, voter: Voter, text: str, now: datetime) -> str | None:
    """The thank-you reply, or None when there is nothing to rate (no score,
    or no ticket of this voter resolved in the last week)."""
    value = score(text)
    if value is None:
        return None
    ticket = session.scalar(select(Ticket).where(
        Ticket.voter_id == voter.id, Ticket.status == "resolved", Ticket.updated_at >= now - RATE_WITHIN)
        .order_by(Ticket.updated_at.desc()).limit(1))
    if ticket is None:
        return None
    ticket.status = "rated"
    ticket.updated_at = now
    record(session, ticket, "rated", f"voter:{voter.id}", now, f"{value}|{text[:200]}")
    return texts.RATING_THANKS.format(number=ticket.number)
