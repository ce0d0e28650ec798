"""The poll's secrecy beyond two tables: a vote waits sealed and reaches the
ballots only in a shuffled batch of 5 or more (on PostgreSQL no ballot shares a
transaction with its receipt); plain words are a vote only as the whole
message (an opinion after them is a ticket); a refused vote leaves no words
behind either; the deputy's phone page fills this year or the last."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, text

from bot.cli import main
from bot.cli.context import State
from bot.jobs import tasks
from bot.models import Deputy, DutyPoll, InboundMessage, PollBallot, PollPending, PollReceipt, Voter, VoterGroup
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
    for voter in voters:  # no village: their group's deputy is the only one they rate
        voter.village_id = None
    db.commit()
    return group.deputy, voters


def _count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def _stored(db, openid: str) -> list[str]:
    db.expire_all()
    return list(db.scalars(select(InboundMessage.content).where(InboundMessage.openid == openid)))


def test_votes_wait_sealed_and_reach_the_ballots_in_batches_of_five_or_at_the_close(opened, app, db, ext, cli):
    _, voters = _group(db)
    assert len(voters) >= 6
    for voter in voters[:4]:
        assert Phone(app, voter.openid).says("测评 1 办事认真").text.startswith("已收到")
    assert tasks.poll_batch(ext) == 0  # four waiting: too few to hide among
    assert _count(db, PollPending) == 4 and _count(db, PollBallot) == 0 and _count(db, PollReceipt) == 4
    raw = " ".join(str(v) for v in db.execute(text("SELECT sealed FROM duty_poll_pending")).scalars())
    assert "满意" not in raw and "办事认真" not in raw and "deputy" not in raw  # sealed as one payload
    Phone(app, voters[4].openid).says("测评 2")
    assert tasks.poll_batch(ext) == 5 and tasks.poll_batch(ext) == 0
    assert _count(db, PollPending) == 0 and _count(db, PollBallot) == 5
    Phone(app, voters[5].openid).says("测评 3")
    assert tasks.poll_batch(ext) == 0 and _count(db, PollPending) == 1
    assert cli("poll", "close", "--year", "2026").exit_code == 0  # closing moves every one left
    assert _count(db, PollPending) == 0 and _count(db, PollBallot) == 6
    assert sorted(db.scalars(select(PollBallot.choice))) == sorted(["满意"] * 4 + ["基本满意", "不满意"])


def test_the_batch_runs_every_minute_on_the_beat():
    from config.celery import celery_settings

    entry = celery_settings("redis://localhost")["beat_schedule"]["poll-batch"]
    assert entry["task"] == tasks.poll_batch_task.name == "liaison.poll_batch"
    assert entry["schedule"].total_seconds() == 60


def test_on_postgresql_no_ballot_shares_a_transaction_with_a_receipt(opened, app, db, ext):
    if ext.engine.dialect.name != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    _, voters = _group(db)
    for voter, said in zip(voters[:6], ["测评 1", "测评 3", "测评 2", "测评 1", "测评 3", "测评 1"]):
        assert Phone(app, voter.openid).says(said).text.startswith("已收到")
    assert tasks.poll_batch(ext) == 6
    db.expire_all()
    joined = db.execute(text("SELECT r.voter_id, b.choice FROM duty_poll_receipts r "
                             "JOIN duty_poll_ballots b ON r.xmin::text = b.xmin::text")).all()
    assert joined == []
    ballots = set(db.scalars(text("SELECT xmin::text FROM duty_poll_ballots")))
    receipts = set(db.scalars(text("SELECT xmin::text FROM duty_poll_receipts")))
    messages = set(db.scalars(text("SELECT xmin::text FROM inbound_messages")))
    assert len(ballots) == 1 and not ballots & receipts and not ballots & messages


def test_on_postgresql_closing_waits_for_a_vote_in_flight_and_counts_it(opened, db, ext):
    if ext.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    _, voters = _group(db)
    closed: list[str] = []

    def close() -> None:
        with ext.Session() as s:
            poll.close_poll(s, 2026, "clerk", NOW)
            s.commit()
            closed.append("done")

    with ext.Session() as one:
        assert poll.vote(one, one.get(Voter, voters[0].id), poll.parse("测评 1"), NOW).reply.startswith("已收到")
        closer = threading.Thread(target=close)
        closer.start()
        time.sleep(0.5)
        assert closed == []  # the close waits for the vote's transaction
        one.commit()
    closer.join(10)
    assert closed == ["done"] and _count(db, PollBallot) == 1 and _count(db, PollPending) == 0
    with ext.Session() as late:  # after the close, a vote is refused
        assert "已经结束" in poll.vote(late, late.get(Voter, voters[1].id), poll.parse("测评 1"), NOW).reply


def test_plain_words_count_only_as_the_whole_message():
    assert poll.parse("不满意。").choice == "不满意" and poll.parse("满意！！ ").choice == "满意"
    assert poll.parse("基本满意").comment == ""
    assert poll.parse("不满意，村口的路灯坏了三个月了") is None
    assert poll.parse("满意 谢谢代表") is None
    said = poll.parse("测评 3 路灯坏了三个月")
    assert (said.choice, said.comment, said.explicit) == ("不满意", "路灯坏了三个月", True)


def test_an_opinion_after_the_plain_words_is_a_ticket_not_a_ballot(opened, app, db):
    _, voters = _group(db)
    words = "不满意，村口的路灯坏了三个月了，晚上出门看不见路"
    phone = Phone(app, voters[0].openid)
    answer = phone.says(words)
    assert "编号" in answer.text and not answer.text.startswith("已收到您对")
    assert _count(db, PollReceipt) == 0 and _count(db, PollPending) == 0
    assert words in _stored(db, voters[0].openid)  # an opinion, kept like any other
    again = phone.says(words)
    assert "只能评一次" not in (again.text or "") and _count(db, PollPending) == 0 and _count(db, PollReceipt) == 0
    # The whole message 不满意 is a vote; the explicit form carries a comment.
    assert phone.says("不满意。").text.startswith("已收到")
    assert Phone(app, voters[1].openid).says("测评 3 路灯坏了三个月").text.startswith("已收到")
    db.expire_all()
    sealed = sorted((p.sealed["choice"], p.sealed["comment"]) for p in db.scalars(select(PollPending)))
    assert sealed == [("不满意", ""), ("不满意", "路灯坏了三个月")]


def test_a_refused_vote_leaves_no_words_behind(opened, app, db, ext, cli):
    deputy, voters = _group(db)
    # A second vote.
    phone = Phone(app, voters[0].openid)
    assert phone.says("测评 1").text.startswith("已收到")
    assert "只能评一次" in phone.says("测评 3 太差").text
    assert set(_stored(db, voters[0].openid)) == {poll.BLANKED}
    # Someone not among the poll's voters.
    stranger = db.scalar(select(Voter).where(Voter.group_id.is_(None), Voter.village_id.is_(None),
                                             Voter.openid.is_not(None)))
    openid = stranger.openid if stranger is not None else "oSTRANGER_poll_0001"
    assert "不在名单里" in Phone(app, openid).says("测评 3 太差").text
    assert set(_stored(db, openid)) == {poll.BLANKED}
    # A concurrent twin that loses on the receipt's unique key.
    with ext.Session() as one, ext.Session() as two:
        v1, v2 = one.get(Voter, voters[1].id), two.get(Voter, voters[1].id)
        assert poll.vote(one, v1, poll.parse("测评 1"), NOW).reply.startswith("已收到")
        one.commit()
        two.add(InboundMessage(dedupe_key="twin-poll-1", openid=v2.openid, msg_type="text", content="测评 3 太差"))
        two.flush()
        original = poll.pending
        poll.pending = lambda s, p, v: [s.get(Deputy, deputy.id)]
        try:
            lost = poll.vote(two, v2, poll.parse("测评 3 太差"), NOW, dedupe_key="twin-poll-1")
        finally:
            poll.pending = original
        two.commit()
    assert "只能评一次" in lost.reply
    assert set(_stored(db, voters[1].openid)) == {poll.BLANKED}
    # After the close.
    assert cli("poll", "close", "--year", "2026").exit_code == 0
    assert "已经结束" in Phone(app, voters[2].openid).says("测评 3 太差").text
    assert set(_stored(db, voters[2].openid)) == {poll.BLANKED}


def test_the_phone_page_fills_this_year_or_the_last_defaulting_to_the_polls(demo, app, ext, db):
    from phone_kit import sign_in, token_of

    january = datetime(2027, 1, 10, 2, 0, tzinfo=timezone.utc)
    ext.clock.value = january.timestamp()
    deputy = db.scalar(select(Deputy).where(Deputy.code == "D011"))
    client, _ = sign_in(app, deputy.openid)
    assert "2027年度履职自评" in client.get("/m/evaluation").get_data(as_text=True)  # no poll yet: this year
    db.add(DutyPoll(year=2026, status="closed", opened_by="clerk", opened_at=NOW, closed_by="clerk", closed_at=NOW))
    db.commit()
    html = client.get("/m/evaluation").get_data(as_text=True)
    assert "2026年度履职自评" in html and "/m/evaluation?year=2027" in html
    assert "2025年度履职自评" not in client.get("/m/evaluation?year=2025").get_data(as_text=True)
    saved = client.post("/m/evaluation", data={"csrf_token": token_of(html), "year": "2026", "grade": "称职"},
                        follow_redirects=True)
    assert "2026年度自评已保存" in saved.get_data(as_text=True)
    from bot.services.duty import evaluation

    db.expire_all()
    assert evaluation.row(db, deputy, 2026).self_grade == "称职" and evaluation.row(db, deputy, 2027) is None
