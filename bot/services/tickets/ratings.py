"""What a voter says about the result: a rating (1–5 or 满意/基本满意/不满意,
with an optional comment) of their own resolved ticket, once; or "没解决"
within a few days of the resolution, which reopens it."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Ticket, TicketStatus, Voter
from .. import texts
from ..outcome import Outcome
from ..station import Station
from . import confidential
from .lifecycle import FINISHED, deputy_openid, move, to_people

# Longest words first, so 很不满意 is not read as 满意.
WORDS = (("非常不满意", 1), ("很不满意", 1), ("不满意", 2), ("基本满意", 3), ("非常满意", 5), ("很满意", 5),
         ("满意", 4))
_SEP = r"[\s,，。:：;；!！]"
# A score, then the end or a separator and a comment: "5", "5分", "5 修得很快"; not "3号楼的路灯坏了".
_LEADING = re.compile(rf"^([1-5])(?![\d.])\s*分?(?:$|{_SEP}+(.*)$)", re.S)
_AFTER_WORD = re.compile(rf"^(?:$|{_SEP}+(.*)$)", re.S)
_BARE = re.compile(r"^(打|给|评)?([1-5])(分|星|颗星)?$")
_NOT_WORD = re.compile(r"[\W_]+")
_UNSOLVED_WORDS = r"(问题)?(还是?|仍然|依然)?(没|没有|未)(解决|修好|办好|弄好)"
_UNSOLVED = re.compile(rf"^{_UNSOLVED_WORDS}")
# What a reopen message may consist of without saying anything more: the
# phrase (maybe twice), particles and punctuation.
_ONLY_UNSOLVED = re.compile(rf"^(?:{_UNSOLVED_WORDS}|[啊呀呢吧啦哦嘛了的呐]|[\W_])*$")


def score(text: str) -> int | None:
    """A score in a message the classifier calls a rating: words first (很不满意
    is not 满意), a digit only as the whole message ("等了5天" is no score)."""
    compact = _compact(text)
    for word, value in WORDS:
        if word in compact:
            return value
    bare = _BARE.match(compact)
    return int(bare.group(2)) if bare else None


def is_bare(text: str) -> bool:
    """Only a score: a digit, or a satisfaction word with little else."""
    compact = _compact(text)
    return bool(_BARE.match(compact)) or (len(compact) <= 6 and any(w in compact for w, _ in WORDS))


def _compact(text: str) -> str:
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or ""))


def leading_score(text: str) -> tuple[int, str] | None:
    """(score, comment) when the message starts with a rating, like "5 修得很快" or "满意，谢谢"."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    found = _LEADING.match(text)
    if found:
        return int(found.group(1)), (found.group(2) or "").strip()
    for word, value in WORDS:
        if text.startswith(word):
            rest = _AFTER_WORD.match(text[len(word):])
            return (value, (rest.group(1) or "").strip()) if rest else None
    return None


def says_unsolved(text: str) -> bool:
    return bool(_UNSOLVED.match(unicodedata.normalize("NFKC", text or "").strip()))


def beyond_unsolved(text: str) -> str:
    """The voter's words when they say more than "没解决" ("没解决，水还是不通"),
    else "": the deputy's push already says the problem is not solved."""
    text = (text or "").strip()
    return "" if _ONLY_UNSOLVED.match(unicodedata.normalize("NFKC", text)) else text


def awaiting_rating(session: Session, voter: Voter) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.voter_id == voter.id, Ticket.status == TicketStatus.RESOLVED)
                          .order_by(Ticket.id.desc()).limit(1))


def latest_finished(session: Session, voter: Voter) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.voter_id == voter.id, Ticket.status.in_(FINISHED))
                          .order_by(Ticket.id.desc()).limit(1))


def rate(session: Session, voter: Voter, text: str, now: datetime, station: Station,
         parsed: tuple[int, str] | None = None) -> Outcome:
    """Rate the voter's own latest resolved ticket; a ticket is rated once. A
    comment about the deputy, on a matter of discipline, or asking for anonymity
    makes the ticket confidential: the deputy gets the score alone, staff the comment."""
    ticket = awaiting_rating(session, voter)
    value, comment = parsed or (score(text), "")
    if ticket is None or value is None:
        return Outcome(texts.RATING_NONE)
    finding = confidential.about_holders(ticket, comment) if comment else None
    ticket.rating, ticket.rating_comment = value, (comment[:500] or None)
    event = move(session, ticket, "rate", f"voter:{voter.id}", now, f"{value}|{comment[:200]}")
    if finding:
        said = Outcome(texts.RATING_THANKS_PRIVATE.format(number=ticket.number), ticket.id)
        said.add_pushes(confidential.rated_privately(session, ticket, value, comment, finding, now, station))
        comment = ""
    else:
        said = Outcome(texts.RATING_THANKS_COMMENT.format(number=ticket.number) if comment
                       else texts.RATING_THANKS.format(number=ticket.number), ticket.id)
    for deputy in dict.fromkeys(d for d in (ticket.deputy, ticket.escalated_to) if d is not None):
        note = texts.DEPUTY_RATED.format(number=ticket.number, score=value, comment=comment).rstrip()
        said.add_pushes(to_people(session, ticket, event, [deputy_openid(deputy)], "ticket_rated", note,
                                  texts.DEPUTY_NEW_TICKET_TITLE, now))
    return said


def reopen(session: Session, voter: Voter, text: str, now: datetime, station: Station) -> Outcome | None:
    """"没解决": reopen the voter's latest resolved ticket within the station's
    reopen days of its resolution. None when they have no resolved ticket (an
    ordinary message). Words about its deputy, on a matter of discipline, or
    asking for anonymity reopen it for the staff alone."""
    ticket, days = latest_finished(session, voter), station.reopen_days
    if ticket is None:
        return None
    resolved = ticket.resolved_at or ticket.updated_at
    if now - resolved > timedelta(days=days):
        return Outcome(texts.REOPEN_TOO_LATE.format(number=ticket.number, days=days), ticket.id)
    finding = confidential.about_holders(ticket, text)
    event = move(session, ticket, "reopen", f"voter:{voter.id}", now, text[:500])
    ticket.sla_started_at, ticket.accepted_at, ticket.resolved_at = now, None, None
    ticket.rating = ticket.rating_comment = None
    if finding:
        session.flush()  # withdraw reloads the ticket
        pushes = confidential.withdraw(session, ticket, now, station, finding.reasons, named=finding.named,
                                       said=text[:500])
        return Outcome(texts.REOPENED_CONFIDENTIAL.format(number=ticket.number), ticket.id).add_pushes(pushes)
    deputy = ticket.deputy if deputy_openid(ticket.deputy) else None
    said = Outcome(texts.REOPENED.format(number=ticket.number, deputy=deputy.name) if deputy
                   else texts.REOPENED_TRIAGE.format(number=ticket.number), ticket.id)
    if deputy is None:  # none, or no longer reachable (retired, unbound): staff assign it again
        ticket.deputy_id, ticket.needs_triage = None, True
    said.add_pushes(to_people(session, ticket, event, [deputy_openid(deputy)], "ticket_reopened",
                              texts.DEPUTY_REOPENED.format(number=ticket.number, text=beyond_unsolved(text)),
                              texts.DEPUTY_REOPENED_TITLE, now))
    return said
