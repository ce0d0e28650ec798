"""A voter rating the handling of their resolved opinion (1–5)."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Ticket, Voter
from . import texts
from .tickets import record

# Longest words first, so 很不满意 is not read as 满意.
WORDS = (("非常不满意", 1), ("很不满意", 1), ("不满意", 2), ("基本满意", 3), ("非常满意", 5), ("很满意", 5),
         ("满意", 4))


def score(text: str) -> int | None:
    text = unicodedata.normalize("NFKC", text or "")
    digit = re.search(r"(?<!\d)([1-5])(?!\d)", text)
    if digit:
        return int(digit.group(1))
    for word, value in WORDS:
        if word in text:
            return value
    return None


def rate(session: Session, voter: Voter, text: str, now: datetime) -> str:
    ticket = session.scalar(select(Ticket).where(Ticket.voter_id == voter.id, Ticket.status == "resolved")
                            .order_by(Ticket.id.desc()).limit(1))
    value = score(text)
    if ticket is None or value is None:
        return texts.RATING_NONE
    ticket.status = "rated"
    ticket.updated_at = now
    record(session, ticket, "rated", f"voter:{voter.id}", now, f"{value}|{text[:200]}")
    return texts.RATING_THANKS.format(number=ticket.number)
