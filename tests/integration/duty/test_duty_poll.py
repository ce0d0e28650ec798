"""The voters' yearly poll: staff open it and each deputy's voters are invited
once; a voter rates each of their deputies once in chat; a closed poll takes
nothing; results are counts per deputy, from 5 ballots up, and nothing stored
or shown ties a voter to what they chose."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, inspect, select

from bot.cli import main
from bot.cli.context import State
from bot.jobs import tasks
from bot.models import (AuditEvent, Deputy, DutyPoll, InboundMessage, OutboundPush, PollBallot, PollPending,
                        PollReceipt, Voter, VoterGroup)
from bot.services.duty import poll
from wechat_user import Phone

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args), obj=State(app=app))


@pytest.fixture
def opened(demo, ext):
    ext.clock.value = NOW.timestamp()
    with ext.Session() as s:
        _, outcome, _ = poll.open_poll(s, 2026, "staff1", NOW)
        s.commit()
    return outcome


def _group(db, code="G01") -> tuple[Deputy, list[Voter]]:
    group = db.scalar(select(VoterGroup).where(VoterGroup.code == code))
    voters = list(db.scalars(select(Voter).where(Voter.group_id == group.id).order_by(Voter.id)))
    return group.deputy, voters


def _only_their_group(db, voter: Voter) -> None:
    """A fixed voter with no village on the roster: their group's deputy is the only one they rate."""
    voter.village_id = None
    db.commit()


def _ballots(db, **where) -> int:
    query = select(func.count()).select_from(PollBallot)
    for name, value in where.items():
        query = query.where(getattr(PollBallot, name) == value)
    return db.scalar(query)


def _cast(db, choice: str | None = None) -> int:
    """Votes cast: ballots plus those still waiting sealed for the next batch."""
    db.expire_all()
    pending = [p.sealed["choice"] for p in db.scalars(select(PollPending))]
    return (_ballots(db, **({"choice": choice} if choice else {}))
            + sum(1 for c in pending if choice is None or c == choice))


def test_opening_invites_each_deputys_voters_once_and_skips_the_unsubscribed(demo, db, cli, ext):
    ext.clock.value = NOW.timestamp()
    _, voters = _group(db)
    voters[0].subscribed = False
    db.commit()
    out = cli("poll", "open", "--year", "2026", "--by", "clerk", "--json")
    assert out.exit_code == 0, out.output
    sent = json.loads(out.output)["invited_now"]
    invites = list(db.scalars(select(OutboundPush).where(OutboundPush.kind == "duty_poll")))
    assert sent == len(invites) == len(poll.electorate(db)) == 179  # 180 demo voters, one unsubscribed
    assert voters[0].openid not in {p.recipient_openid for p in invites}
    mine = next(p for p in invites if p.recipient_openid == voters[1].openid)
    assert voters[1].group.deputy.name in mine.payload["text"] and "测评 1" in mine.payload["text"]
    # Open twice: refused; close and reopen: no second invitation to anyone.
    assert "已经开始" in cli("poll", "open", "--year", "2026").output
    assert cli("poll", "close", "--year", "2026").exit_code == 0
    again = cli("poll", "open", "--year", "2026", "--json")
    assert json.loads(again.output)["invited_now"] == 0
    assert db.scalar(select(func.count()).select_from(OutboundPush).where(OutboundPush.kind == "duty_poll")) == 179
    poll_row = db.scalar(select(DutyPoll))
    db.refresh(poll_row)
    assert poll_row.status == "open" and poll_row.opened_by.startswith("cli:")


def test_a_voter_rates_in_chat_and_a_second_vote_is_refused_politely(opened, app, db):
    deputy, voters = _group(db)
    _only_their_group(db, voters[0])
    phone = Phone(app, voters[0].openid)
    first = phone.says("测评 1 办事认真")
    assert first.text == f"已收到您对{deputy.name}代表的评价，谢谢！"
    second = phone.says("不满意")
    assert "只能评一次" in second.text
    third = phone.says("测评 3")
    assert "只能评一次" in third.text
    assert _cast(db) == 1 and _cast(db, choice="满意") == 1
    assert db.scalar(select(func.count()).select_from(PollReceipt)) == 1


def test_a_voter_with_several_deputies_rates_them_one_after_another(opened, app, db):
    _, voters = _group(db)
    theirs = poll.deputies_of(db, voters[1])
    assert len(theirs) > 1
    phone = Phone(app, voters[1].openid)
    for i, deputy in enumerate(theirs):
        said = phone.says("基本满意" if i % 2 else "测评 2")
        assert said.text.startswith(f"已收到您对{deputy.name}代表的评价")
        if i + 1 < len(theirs):
            assert f"下一位：{theirs[i + 1].name}代表" in said.text
    assert "只能评一次" in phone.says("测评 1").text
    rated = db.scalars(select(PollReceipt.deputy_id).where(PollReceipt.voter_id == voters[1].id)).all()
    assert sorted(rated) == sorted(d.id for d in theirs)


def test_a_concurrent_double_vote_leaves_one_ballot(opened, ext, db):
    deputy, voters = _group(db)
    _only_their_group(db, voters[0])
    with ext.Session() as one, ext.Session() as two:
        v1, v2 = one.get(Voter, voters[0].id), two.get(Voter, voters[0].id)
        assert poll.vote(one, v1, poll.parse("测评 1"), NOW).reply.startswith("已收到")
        one.commit()
        # The twin looked before the first committed: it still sees the deputy as due.
        original = poll.pending
        poll.pending = lambda s, p, v: [s.get(Deputy, deputy.id)]
        try:
            lost = poll.vote(two, v2, poll.parse("测评 3"), NOW)
        finally:
            poll.pending = original
        two.commit()
    assert "只能评一次" in lost.reply
    assert _cast(db) == 1 and _cast(db, choice="不满意") == 0


def test_after_closing_votes_are_refused(opened, app, db, cli):
    _, voters = _group(db)
    assert cli("poll", "close", "--year", "2026", "--by", "clerk").exit_code == 0
    answer = Phone(app, voters[2].openid).says("测评 1")
    assert "已经结束" in answer.text
    assert _ballots(db) == 0


def test_plain_words_are_a_vote_only_while_one_is_due(demo, app, db, ext):
    ext.clock.value = NOW.timestamp()
    _, voters = _group(db)
    answer = Phone(app, voters[3].openid).says("满意")  # no poll: the ordinary path (a rating with nothing to rate)
    assert not (answer.text or "").startswith("已收到您对")
    assert _ballots(db) == 0
    assert "没有进行中的代表测评" in Phone(app, voters[3].openid).says("测评 1").text


def test_results_show_counts_only_once_closed_and_from_five_ballots(opened, app, db, cli, ext):
    deputy, voters = _group(db)
    for i, voter in enumerate(voters[:4]):
        Phone(app, voter.openid).says(["测评 1", "测评 2 还行", "测评 1", "测评 3"][i])
    # While open nothing per deputy: counts read before and after a known voter's vote would tell it.
    tally = poll.results(db, 2026, [deputy])[0]
    assert tally.running and not tally.published and tally.summary == "测评进行中，结束后公布"
    assert tally.as_dict()["counts"] is None and tally.as_dict()["votes"] is None and tally.score is None
    assert f"{deputy.code} {deputy.name}：测评进行中，结束后公布" in cli("poll", "results", "--year", "2026").output
    assert cli("poll", "close", "--year", "2026").exit_code == 0
    db.expire_all()
    tally = poll.results(db, 2026, [deputy])[0]
    assert not tally.published and tally.summary == "不足5票，不公布"
    assert tally.as_dict()["counts"] is None and tally.as_dict()["votes"] is None and tally.comments == []
    out = json.loads(cli("poll", "results", "--year", "2026", "--json").output)
    row = next(r for r in out["deputies"] if r["deputy"] == deputy.code)
    assert row["summary"] == "不足5票，不公布" and row["counts"] is None
    with ext.Session() as s:
        poll.open_poll(s, 2026, "staff1", NOW)
        s.commit()
    Phone(app, voters[4].openid).says("测评 1")
    db.expire_all()
    assert poll.results(db, 2026, [deputy])[0].summary == "测评进行中，结束后公布"
    assert cli("poll", "close", "--year", "2026").exit_code == 0
    db.expire_all()
    tally = poll.results(db, 2026, [deputy])[0]
    assert tally.published and tally.counts == {"满意": 3, "基本满意": 1, "不满意": 1}
    assert tally.summary == "满意 3，基本满意 1，不满意 1（共 5 票）"
    assert tally.score == round((3 * 100 + 60) / 5, 1) and tally.comments == ["还行"]
    text = cli("poll", "results", "--year", "2026").output
    assert f"{deputy.code} {deputy.name}：满意 3，基本满意 1，不满意 1（共 5 票）" in text


def test_nothing_ties_a_voter_to_their_choice(opened, app, db, ext, cli):
    deputy, voters = _group(db)
    for voter in voters[:6]:
        Phone(app, voter.openid).says("测评 3 态度不好")
    assert _ballots(db) == 0 and tasks.poll_batch(ext) == 6
    pending_columns = {c["name"] for c in inspect(ext.engine).get_columns("duty_poll_pending")}
    assert pending_columns == {"id", "poll_id", "sealed"}  # no voter, no time, the vote sealed
    columns = {c["name"] for c in inspect(ext.engine).get_columns("duty_poll_ballots")}
    assert columns == {"id", "poll_id", "deputy_id", "choice", "comment"}  # no voter, no time
    receipt_columns = {c["name"] for c in inspect(ext.engine).get_columns("duty_poll_receipts")}
    assert receipt_columns == {"id", "poll_id", "voter_id", "deputy_id"}  # no choice, no time
    ids = db.scalars(select(PollBallot.id)).all()
    assert all(len(i) == 32 and not i.isdigit() for i in ids) and len(set(ids)) == 6  # random, not a sequence
    # The stored messages keep that a vote came, not what it said.
    stored = db.scalars(select(InboundMessage.content).where(InboundMessage.openid.in_([v.openid for v in voters[:6]])))
    assert set(stored) == {poll.BLANKED}
    # Outputs: counts only; no voter's name or openid anywhere.
    out = cli("poll", "results", "--year", "2026", "--json").output + cli("poll", "results", "--year", "2026").output
    audit = " ".join(f"{a.actor} {a.target} {a.detail}" for a in db.scalars(select(AuditEvent)))
    for voter in voters[:6]:
        assert voter.name not in out and voter.openid not in out
        assert voter.name not in audit and voter.openid not in audit
    # The stored replies do not depend on the choice: the same words whatever was chosen.
    replies = db.scalars(select(InboundMessage.reply).where(InboundMessage.openid.in_([v.openid for v in voters[:6]])))
    assert {r.split("\n")[0] for r in replies} == {f"已收到您对{deputy.name}代表的评价，谢谢！"}


def test_a_resolved_ticket_waiting_for_its_rating_takes_plain_words_and_the_poll_takes_its_explicit_form(opened, app, db):
    import re

    _, voters = _group(db)
    voter, deputy = voters[0], voters[0].group.deputy
    answer = Phone(app, voter.openid).says("村口的路灯坏了三个月了，晚上出门看不见路")
    number = re.search(r"编号 (\d{4}-\d{6})", answer.text).group(1)
    desk = Phone(app, deputy.openid)
    assert desk.says(f"受理 {number}").text.startswith("已受理")
    assert "已办结" in desk.says(f"办结 {number} 已修好").text
    rated = Phone(app, voter.openid).says("满意")
    assert "感谢" in rated.text and _cast(db) == 0  # the ticket's rating, not a vote
    voted = Phone(app, voter.openid).says("测评 1")
    assert voted.text.startswith(f"已收到您对{deputy.name}代表的评价") and _cast(db) == 1
