"""A complaint about a deputy never reaches that deputy, on whichever path it
travels: an urgent report's addition, a rating's comment, "没解决", an
escalation, a merge or a staff assignment. And a ticket taken from its deputies
takes along the pushes still waiting for them."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.jobs import tasks
from bot.models import Deputy, Mandate, OutboundPush
from bot.services import texts
from bot.services.tickets import duplicates
from lifecycle_kit import STAFF, VOTER, county_contact, deputy_of, name_them, number_in, ticket
from wechat_user import Phone

SAME_VILLAGE = "oDEMO_voter_12_04"  # another household of 上丰村


def _pushes(app, db, openid: str, status: str | None = None) -> list[OutboundPush]:
    """What waits for or went to one person, after a worker ran the queue."""
    app.extensions["liaison"].queue.drain(app)
    db.expire_all()
    rows = db.scalars(select(OutboundPush).where(OutboundPush.recipient_openid == openid)
                      .order_by(OutboundPush.id)).all()
    return [p for p in rows if status is None or p.status == status]


def _received(app, db, openid: str) -> list[str]:
    return [p.payload["text"] for p in _pushes(app, db, openid, "sent")]


def _resolved(app, ext, deputy) -> str:
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    desk = Phone(app, deputy.openid)
    desk.says(f"受理 {number}")
    desk.says(f"办结 {number} 水管已经修好了")
    ext.clock.value += 3600
    return number


def test_an_urgent_addition_naming_the_deputy_takes_the_ticket_from_them(app, ext, demo, db, inbox):
    deputy = name_them(db)
    voter = Phone(app, VOTER)
    number = number_in(voter.says("着火了，快来人").text)
    assert ticket(db, number).deputy_id == deputy.id and ticket(db, number).urgent
    ext.clock.value += 60
    answer = voter.says("吴凤华代表放的火，着火了救命").text
    assert answer.startswith(f"好的，您反映的 {number} 已改为由联络站工作人员直接处理") and texts.URGENT_ADVICE in answer
    got = _received(app, db, deputy.openid)
    assert got[-1] == texts.DEPUTY_TAKEN_OVER.format(number=number)
    assert not any("放的火" in text for text in got)
    alert = inbox.last(STAFF)
    assert alert.startswith(f"【紧急】【保密】{number}") and "吴凤华代表放的火" in alert and "吴建国" not in alert
    held = ticket(db, number)
    assert (held.confidential, held.deputy_id) == (True, None)


def test_a_repeated_urgent_report_still_reaches_the_deputy_nearby(app, ext, demo, db):
    deputy = name_them(db)
    voter = Phone(app, VOTER)
    number = number_in(voter.says("着火了，快来人").text)
    ext.clock.value += 60
    assert voter.says("火越烧越大了，着火了救命").text.startswith(texts.URGENT_JOINED.format(number=number))
    assert "火越烧越大" in _received(app, db, deputy.openid)[-1]
    assert not ticket(db, number).confidential


def test_a_rating_comment_about_the_deputy_reaches_staff_and_the_deputy_gets_the_score_alone(app, ext, demo, db,
                                                                                             inbox):
    deputy = name_them(db)
    number = _resolved(app, ext, deputy)
    comment = "吴凤华代表收了红包，不要告诉他是我说的"
    assert Phone(app, VOTER).says(f"1 {comment}").text == texts.RATING_THANKS_PRIVATE.format(number=number)
    got = _received(app, db, deputy.openid)
    assert got[-1] == f"{number} 群众评价：1 分"
    assert not any("红包" in text for text in got)
    alert = inbox.last(STAFF)
    assert alert.startswith(f"【保密】{number}") and "吴凤华代表收了红包" in alert and "吴建国" not in alert
    rated = ticket(db, number)
    assert (rated.status, rated.rating, rated.confidential) == ("rated", 1, True)


def test_an_ordinary_rating_comment_still_reaches_the_deputy(app, ext, demo, db):
    deputy = name_them(db)
    number = _resolved(app, ext, deputy)
    assert Phone(app, VOTER).says("5 修得很快").text == texts.RATING_THANKS_COMMENT.format(number=number)
    assert _received(app, db, deputy.openid)[-1] == f"{number} 群众评价：5 分 修得很快"
    assert not ticket(db, number).confidential


def test_not_solved_about_the_deputy_reopens_it_for_the_staff_alone(app, ext, demo, db, inbox):
    deputy = name_them(db)
    number = _resolved(app, ext, deputy)
    words = "没解决，吴凤华代表根本没来，收了村支书的红包，别告诉他是我说的"
    assert Phone(app, VOTER).says(words).text == texts.REOPENED_CONFIDENTIAL.format(number=number)
    got = _received(app, db, deputy.openid)
    assert got[-1] == texts.DEPUTY_TAKEN_OVER.format(number=number)
    assert not any("红包" in text or "没来" in text for text in got)
    alert = inbox.last(STAFF)
    assert alert.startswith(f"【保密】{number}") and words in alert and "吴建国" not in alert
    reopened = ticket(db, number)
    assert (reopened.status, reopened.confidential, reopened.deputy_id, reopened.needs_triage) == \
        ("reopened", True, None, True)
    assert Phone(app, deputy.openid).says(f"受理 {number}").text == texts.DEPUTY_NO_SUCH_TICKET.format(number=number)


def test_an_escalation_never_reaches_the_upper_deputy_it_names(app, ext, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    county = county_contact(db, deputy)
    county.name = "李红梅"
    db.commit()
    number = number_in(Phone(app, VOTER).says("村里低保评定不公平，李红梅代表的亲戚都评上了").text)
    assert ticket(db, number).deputy_id == deputy.id and not ticket(db, number).confidential
    desk = Phone(app, deputy.openid)
    desk.says(f"受理 {number}")
    assert desk.says(f"上报 {number} 超出乡里的职权").text == texts.DEPUTY_TAKEN_OVER.format(number=number)
    assert _pushes(app, db, county.openid) == []
    alert = inbox.last(STAFF)
    assert alert.startswith(f"【保密】{number}") and "点名反映李红梅代表" in alert
    kept = ticket(db, number)
    assert (kept.confidential, kept.deputy_id, kept.escalated_to_id, kept.status) == (True, None, None, "accepted")


def test_a_report_naming_the_upper_deputy_of_a_similar_ticket_is_never_merged_into_it(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    county = county_contact(db, deputy)
    county.name = "李红梅"
    db.commit()
    first = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    desk = Phone(app, deputy.openid)
    desk.says(f"受理 {first}")
    desk.says(f"上报 {first} 水厂归县里管")
    assert ticket(db, first).escalated_to_id == county.id
    heard = len(_pushes(app, db, county.openid))
    ext.clock.value += 3600
    second = number_in(Phone(app, SAME_VILLAGE).says("村里自来水也停了好几天了，李红梅代表家里天天有水").text)
    assert ticket(db, second).duplicate_of_id is None
    assert len(_pushes(app, db, county.openid)) == heard
    with pytest.raises(duplicates.MergeError) as refused:  # nor may staff merge it by hand
        duplicates.merge(db, ticket(db, second), ticket(db, first), "李干事", ext.now())
    assert str(refused.value) == texts.MERGE_NAMES_DEPUTY.format(number=second, deputy="李红梅", primary=first)


def _another_township_deputy(db, deputy: Deputy) -> Deputy:
    return next(d for d in db.scalars(select(Deputy).join(Mandate).where(Mandate.level == "township")
                                      .order_by(Deputy.id)) if d.id != deputy.id and d.reachable)


def test_staff_cannot_assign_a_ticket_to_the_deputy_it_names(app, ext, demo, db):
    other = _another_township_deputy(db, deputy_of(db, VOTER))
    other.name = "郑秀兰"
    db.commit()
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了，郑秀兰代表家里天天有水").text)
    Phone(app, deputy_of(db, VOTER).openid).says(f"退回 {number} 不归我管")
    assert ticket(db, number).needs_triage
    done = app.test_cli_runner().invoke(main, ["tickets", "assign", number, other.code, "--by", "李干事"],
                                        obj=State(app=app))
    assert done.exit_code != 0
    assert texts.ASSIGN_NAMES_DEPUTY.format(number=number, deputy="郑秀兰") in done.output
    assert ticket(db, number).deputy_id is None and _pushes(app, db, other.openid) == []


def test_pushes_still_waiting_for_the_deputy_are_stopped_when_the_ticket_is_withdrawn(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    voter = Phone(app, VOTER)
    number = number_in(voter.says("村里自来水停了三天了").text)  # its push waits: no worker ran yet
    ext.clock.value += 600
    voter.says("匿名")
    stopped = _pushes(app, db, deputy.openid, "failed")
    assert [(p.kind, p.last_error) for p in stopped] == [("ticket_assigned", "withdrawn")]
    assert _received(app, db, deputy.openid) == [texts.DEPUTY_TAKEN_OVER.format(number=number)]


OPINIONS = ["村口路灯坏了一个月了", "村东头的路坑坑洼洼没法走", "垃圾好几天没人清运了", "村里自来水停了三天了"]


def _held_for_a_digest(app, ext, db, deputy) -> str:
    voters = ["oDEMO_voter_12_02", "oDEMO_voter_12_03", "oDEMO_voter_12_05", VOTER]
    assert {deputy_of(db, v).id for v in voters} == {deputy.id}
    numbers = []
    for voter, text in zip(voters, OPINIONS):
        numbers.append(number_in(Phone(app, voter).says(text).text))
        ext.clock.value += 15
    [held] = _pushes(app, db, deputy.openid, "held")
    assert held.ticket_id == ticket(db, numbers[-1]).id
    return numbers[-1]


def test_a_push_held_for_a_digest_is_stopped_when_the_ticket_is_withdrawn(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    number = _held_for_a_digest(app, ext, db, deputy)
    Phone(app, VOTER).says("匿名")
    assert [p.last_error for p in _pushes(app, db, deputy.openid, "failed")] == ["withdrawn"]
    ext.clock.value += 600
    assert tasks.sweep(ext)["digests"] == 0
    assert not any(number in text for text in _received(app, db, deputy.openid)[:-1])


def test_a_digest_leaves_out_a_ticket_that_became_confidential(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    number = _held_for_a_digest(app, ext, db, deputy)
    ticket(db, number).confidential = True  # as staff marking it would, without the withdrawal's own stop
    db.commit()
    ext.clock.value += 600
    assert tasks.sweep(ext)["digests"] == 0
    assert not any(number in text for text in _received(app, db, deputy.openid))
    assert [p.last_error for p in _pushes(app, db, deputy.openid, "failed")] == ["withdrawn"]

