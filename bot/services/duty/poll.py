"""The voters' yearly poll (选民测评): staff open it, each deputy's fixed voters
and bound constituents get one invitation in WeChat, each rates each of their
deputies once (满意 / 基本满意 / 不满意, maybe a comment), staff close it.

Who voted and what they chose are stored apart, and a vote reaches the
ballots only in a later shuffled batch (models/evaluation.py says why and what
that does not protect); the message that carried a vote, accepted or not, is
blanked in the inbound log; results are counts per deputy, shown only once the
poll is closed and only from MIN_VOTES ballots up."""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ...models import (CHOICES, Deputy, DutyPoll, InboundMessage, Mandate, OutboundPush, PollBallot, PollPending,
                       PollReceipt, Ticket, Voter)
from ..calendar.local_time import BEIJING
from ..outbox import notify
from ..outcome import Outcome
from .activities import DutyError

MIN_VOTES = 5
BATCH_MIN = 5  # pending votes moved into ballots together, at least (all of them when closing)
MAX_COMMENT = 200
BELOW_FLOOR = f"不足{MIN_VOTES}票，不公布"
RUNNING = "测评进行中，结束后公布"
# A ballot's worth in the voters' part of the evaluation (0-100).
CHOICE_POINTS = {"满意": 100, "基本满意": 60, "不满意": 0}
BLANKED = "（选民测评：内容不保存）"

INVITE = ("【{year}年度代表履职测评】请您为联系您的人大代表打分：{names}。\n"
          "回复“测评 1”满意、“测评 2”基本满意、“测评 3”不满意，可在后面加一句意见，"
          "如“测评 1 办事认真”。{many}测评不记名，谁评了什么任何人都看不到。")
MANY = "有几位代表的，按上面的顺序一位一位回复。"
THANKS = "已收到您对{name}代表的评价，谢谢！"
NEXT = "\n下一位：{name}代表，请回复“测评 1/2/3”（1满意 2基本满意 3不满意）。"
ALREADY = "您已经评价过了：每位代表每人只能评一次，谢谢您的参与！"
CLOSED = "{year}年度代表测评已经结束，不再接受评价。谢谢您的关心！"
NONE_OPEN = "现在没有进行中的代表测评。"
NOT_LISTED = "这次测评由各位代表联系的选民参加，您不在名单里，不需要评价。谢谢！"
UNCLEAR = "没看懂您的评价。请回复“测评 1”满意、“测评 2”基本满意或“测评 3”不满意。"

_EXPLICIT = re.compile(r"^测评\s*[:：]?\s*(满意|基本满意|不满意|[123])?(?:$|[\s,，。:：;；!！]+(.*)$)", re.S)
# Plain words are a vote only as the whole message: "不满意，村口的路灯坏了" is an
# opinion for the ordinary path (a ticket), never a ballot with a comment.
_PLAIN = re.compile(r"^(基本满意|不满意|满意)[\s,，。.;；!！~～]*$")


@dataclass(frozen=True)
class Said:
    choice: str | None
    comment: str
    explicit: bool  # "测评 …": always the poll's; plain words only while a vote is due


def parse(text: str | None) -> Said | None:
    value = unicodedata.normalize("NFKC", text or "").strip()
    found = _EXPLICIT.match(value)
    if found:
        raw = found.group(1)
        choice = CHOICES[int(raw) - 1] if raw and raw.isdigit() else raw
        return Said(choice, (found.group(2) or "").strip()[:MAX_COMMENT], True)
    found = _PLAIN.match(value)
    if found:
        return Said(found.group(1), "", False)
    return None


def poll_of(session: Session, year: int) -> DutyPoll | None:
    return session.scalar(select(DutyPoll).where(DutyPoll.year == year))


def current(session: Session, lock: bool = False) -> DutyPoll | None:
    """The open poll, if any (at most one year is open at a time). `lock` holds
    the row shared until the transaction ends, so closing waits for a vote in
    flight and a vote after the close sees it closed (PostgreSQL re-checks the
    status once the lock is granted)."""
    query = select(DutyPoll).where(DutyPoll.status == "open").order_by(DutyPoll.year.desc()).limit(1)
    if lock:
        query = query.with_for_update(read=True).execution_options(populate_existing=True)
    return session.scalar(query)


def _township_deputies(session: Session, constituency_ids: list[int]) -> dict[int, list[Deputy]]:
    """constituency id -> its deputies in office at township level, by code."""
    out: dict[int, list[Deputy]] = {}
    if not constituency_ids:
        return out
    rows = session.execute(select(Mandate.constituency_id, Deputy).join(Deputy, Deputy.id == Mandate.deputy_id)
                           .where(Mandate.level == "township", Deputy.active.is_(True),
                                  Mandate.constituency_id.in_(constituency_ids)).order_by(Deputy.code))
    for const_id, deputy in rows:
        out.setdefault(const_id, []).append(deputy)
    return out


def _theirs(voter: Voter, by_const: dict[int, list[Deputy]]) -> list[Deputy]:
    """The deputies a voter rates: their fixed-voter group's deputy first, then
    the township deputies of their village's constituency; never themself."""
    theirs: list[Deputy] = []
    if voter.group is not None and voter.group.deputy.active:
        theirs.append(voter.group.deputy)
    if voter.village is not None and voter.village.constituency_id:
        theirs += by_const.get(voter.village.constituency_id, [])
    return [d for d in dict.fromkeys(theirs) if d.openid != voter.openid]


def electorate(session: Session) -> dict[int, list[Deputy]]:
    """voter id -> the deputies they rate, for every voter bound to WeChat and still following us."""
    voters = list(session.scalars(select(Voter).where(Voter.openid.is_not(None), Voter.subscribed.is_(True))
                                  .options(selectinload(Voter.group), selectinload(Voter.village))
                                  .order_by(Voter.id)))
    by_const = _township_deputies(session, sorted({v.village.constituency_id for v in voters
                                                   if v.village is not None and v.village.constituency_id}))
    out: dict[int, list[Deputy]] = {}
    for voter in voters:
        theirs = _theirs(voter, by_const)
        if theirs:
            out[voter.id] = theirs
    return out


def deputies_of(session: Session, voter: Voter) -> list[Deputy]:
    """The one voter's part of `electorate` (a vote must not load every voter)."""
    if not voter.openid or not voter.subscribed:
        return []
    const = voter.village.constituency_id if voter.village is not None else None
    return _theirs(voter, _township_deputies(session, [const] if const else []))


def default_year(session: Session) -> int | None:
    """The year of the open poll, else of the most recent one, else None."""
    held = current(session)
    if held is None:
        held = session.scalar(select(DutyPoll).order_by(DutyPoll.year.desc()).limit(1))
    return held.year if held is not None else None


def open_poll(session: Session, year: int, by: str, now: datetime) -> tuple[DutyPoll, Outcome, bool]:
    """Open the year's poll and queue one invitation per voter. (poll, outcome
    with the pushes, whether invitations went out). Reopening a closed poll
    sends nothing again: each invitation's outbox key is once per poll and voter."""
    poll = poll_of(session, year)
    if poll is not None and poll.status == "open":
        raise DutyError(f"{year}年度测评已经开始了")
    other = current(session)
    if other is not None:
        raise DutyError(f"{other.year}年度测评还在进行，请先结束它")
    if poll is None:
        poll = DutyPoll(year=year, status="open", opened_by=by[:64], opened_at=now)
        session.add(poll)
    else:
        poll.status, poll.opened_by, poll.opened_at, poll.closed_by, poll.closed_at = "open", by[:64], now, None, None
    session.flush()
    outcome = Outcome()
    everyone = electorate(session)
    voters = {v.id: v for v in session.scalars(select(Voter).where(Voter.id.in_(list(everyone))))}
    for voter_id, deputies in everyone.items():
        names = "、".join(f"{d.name}代表" for d in deputies)
        text = INVITE.format(year=year, names=names, many=MANY if len(deputies) > 1 else "")
        outcome.add_pushes([notify.queue(session, key=f"poll:{poll.id}:invite:{voter_id}",
                                         openid=voters[voter_id].openid, kind="duty_poll", text=text,
                                         title="代表履职测评", fields=(("keyword1", f"{year}年度代表履职测评"),),
                                         now=now)])
    return poll, outcome, bool(outcome.push_ids)


def close_poll(session: Session, year: int, by: str, now: datetime) -> DutyPoll:
    """Close the poll: the row locked first (votes in flight finish, later ones
    see it closed), then every pending vote moved into ballots."""
    poll = session.scalar(select(DutyPoll).where(DutyPoll.year == year).with_for_update()
                          .execution_options(populate_existing=True))
    if poll is None:
        raise DutyError(f"{year}年度测评还没有开始")
    if poll.status == "closed":
        raise DutyError(f"{year}年度测评已经结束了")
    batch(session, poll, closing=True)
    poll.status, poll.closed_by, poll.closed_at = "closed", by[:64], now
    session.flush()
    return poll


def batch(session: Session, poll: DutyPoll | None = None, closing: bool = False) -> int:
    """Move a poll's pending votes into ballots, in shuffled order, and delete
    them, all in the caller's one transaction; only when BATCH_MIN or more wait
    (closing: all). Returns how many moved. The caller commits."""
    poll = poll if poll is not None else current(session)
    if poll is None:
        return 0
    rows = list(session.scalars(select(PollPending).where(PollPending.poll_id == poll.id).with_for_update()))
    if not rows or (len(rows) < BATCH_MIN and not closing):
        return 0
    secrets.SystemRandom().shuffle(rows)
    for row in rows:
        vote = row.sealed
        session.add(PollBallot(id=secrets.token_hex(16), poll_id=poll.id, deputy_id=int(vote["deputy_id"]),
                               choice=vote["choice"], comment=vote.get("comment", "")))
        session.flush()  # one at a time, in the shuffled order
    for row in rows:
        session.delete(row)
    session.flush()
    return len(rows)


def pending(session: Session, poll: DutyPoll, voter: Voter) -> list[Deputy]:
    """The voter's deputies they have not rated yet in this poll, in order."""
    done = set(session.scalars(select(PollReceipt.deputy_id).where(PollReceipt.poll_id == poll.id,
                                                                  PollReceipt.voter_id == voter.id)))
    return [d for d in deputies_of(session, voter) if d.id not in done]


def invited(session: Session, voter: Voter) -> bool:
    """Whether plain 满意/基本满意/不满意 from this voter is a poll answer now:
    a poll is open and they are among its voters (done or not: a second go is refused)."""
    return current(session) is not None and bool(deputies_of(session, voter))


def vote(session: Session, voter: Voter, said: Said, now: datetime, dedupe_key: str | None = None) -> Outcome:
    """Record the voter's rating of the next deputy they have not rated: the
    receipt and a sealed pending vote (a later batch makes it a ballot) in one
    savepoint, so a concurrent twin loses on the receipt's unique key and leaves
    nothing. The stored message is blanked whatever the answer: a refused vote
    says what the voter chose as much as an accepted one."""
    _blank(session, dedupe_key)
    poll = current(session, lock=True)
    if poll is None:
        latest = session.scalar(select(DutyPoll).order_by(DutyPoll.year.desc()).limit(1))
        return Outcome(CLOSED.format(year=latest.year) if latest is not None else NONE_OPEN)
    if said.choice is None:
        return Outcome(UNCLEAR)
    if not deputies_of(session, voter):
        return Outcome(NOT_LISTED)
    due = pending(session, poll, voter)
    if not due:
        return Outcome(ALREADY)
    deputy = due[0]
    try:
        with session.begin_nested():
            session.add(PollReceipt(poll_id=poll.id, voter_id=voter.id, deputy_id=deputy.id))
            session.add(PollPending(id=secrets.token_hex(16), poll_id=poll.id,
                                    sealed={"deputy_id": deputy.id, "choice": said.choice, "comment": said.comment}))
    except IntegrityError:
        return Outcome(ALREADY)
    reply = THANKS.format(name=deputy.name)
    if len(due) > 1:
        reply += NEXT.format(name=due[1].name)
    return Outcome(reply)


def _blank(session: Session, dedupe_key: str | None) -> None:
    """The stored inbound message would say who chose what: keep that it came, not its words."""
    if dedupe_key:
        row = session.scalar(select(InboundMessage).where(InboundMessage.dedupe_key == dedupe_key))
        if row is not None:
            row.content = BLANKED


@dataclass
class Tally:
    deputy_id: int
    code: str
    name: str
    votes: int
    counts: dict[str, int] = field(default_factory=dict)  # empty below the floor
    running: bool = False  # the poll is open: nothing per deputy is shown until it closes
    comments: list[str] = field(default_factory=list)  # sorted, never in the order cast
    rated_tickets: int = 0
    ticket_rating: float | None = None

    @property
    def published(self) -> bool:
        return not self.running and self.votes >= MIN_VOTES

    @property
    def score(self) -> float | None:
        """The voters' part, 0-100, or None below the floor."""
        if not self.published:
            return None
        return round(sum(CHOICE_POINTS[c] * n for c, n in self.counts.items()) / self.votes, 1)

    @property
    def summary(self) -> str:
        if self.running:
            return RUNNING
        if not self.published:
            return BELOW_FLOOR
        return "，".join(f"{c} {self.counts.get(c, 0)}" for c in CHOICES) + f"（共 {self.votes} 票）"

    def as_dict(self) -> dict:
        return {"deputy": self.code, "name": self.name, "votes": self.votes if self.published else None,
                "published": self.published, "running": self.running,
                "counts": {c: self.counts.get(c, 0) for c in CHOICES} if self.published else None,
                "score": self.score, "comments": self.comments, "summary": self.summary,
                "ticket_ratings": self.rated_tickets, "ticket_rating_avg": self.ticket_rating}


def results(session: Session, year: int, deputies: list[Deputy] | None = None) -> list[Tally]:
    """Per deputy: the ballots' counts (only once the poll is closed, and only
    from MIN_VOTES up: counts read before and after a known voter's vote would
    tell their choice) and, beside them, the year's ticket ratings (1-5)."""
    poll = poll_of(session, year)
    running = poll is not None and poll.status == "open"
    if deputies is None:
        deputies = list(session.scalars(select(Deputy).where(Deputy.active.is_(True)).order_by(Deputy.code)))
    counts: dict[int, dict[str, int]] = {}
    comments: dict[int, list[str]] = {}
    if poll is not None and not running:
        for deputy_id, choice, n in session.execute(
                select(PollBallot.deputy_id, PollBallot.choice, func.count()).where(PollBallot.poll_id == poll.id)
                .group_by(PollBallot.deputy_id, PollBallot.choice)):
            counts.setdefault(deputy_id, {})[choice] = n
        for deputy_id, comment in session.execute(select(PollBallot.deputy_id, PollBallot.comment)
                                                  .where(PollBallot.poll_id == poll.id)):
            if comment:
                comments.setdefault(deputy_id, []).append(comment)
    ratings = _ticket_ratings(session, year)
    out = []
    for d in deputies:
        mine = counts.get(d.id, {})
        tally = Tally(d.id, d.code, d.name, sum(mine.values()), running=running)
        if tally.published:
            tally.counts, tally.comments = dict(mine), sorted(comments.get(d.id, []))
        tally.rated_tickets, tally.ticket_rating = ratings.get(d.id, (0, None))
        out.append(tally)
    return out


def _ticket_ratings(session: Session, year: int) -> dict[int, tuple[int, float | None]]:
    """deputy id -> (tickets rated, mean rating) for tickets resolved in the year (Beijing)."""
    start = datetime(year, 1, 1, tzinfo=BEIJING)
    end = datetime(year + 1, 1, 1, tzinfo=BEIJING)
    rows = session.execute(select(Ticket.deputy_id, func.count(), func.avg(Ticket.rating))
                           .where(Ticket.rating.is_not(None), Ticket.deputy_id.is_not(None),
                                  Ticket.resolved_at >= start, Ticket.resolved_at < end)
                           .group_by(Ticket.deputy_id))
    return {d: (n, round(float(avg), 2) if avg is not None else None) for d, n, avg in rows}


def invitations(session: Session, poll: DutyPoll) -> int:
    return session.scalar(select(func.count()).select_from(OutboundPush)
                          .where(OutboundPush.dedupe_key.like(f"poll:{poll.id}:invite:%"))) or 0


def stats(session: Session, year: int) -> dict:
    """The poll's state for staff: status, who opened/closed it, invitations,
    votes in all (receipts: counted at once, batched or not; never per deputy)."""
    poll = poll_of(session, year)
    if poll is None:
        return {"year": year, "status": "none"}
    ballots = session.scalar(select(func.count()).select_from(PollReceipt).where(PollReceipt.poll_id == poll.id))
    return {"year": year, "status": poll.status, "opened_by": poll.opened_by,
            "opened_at": poll.opened_at.isoformat(), "closed_by": poll.closed_by,
            "closed_at": poll.closed_at.isoformat() if poll.closed_at else None,
            "invitations": invitations(session, poll), "ballots": ballots}
