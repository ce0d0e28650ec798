"""Complaints about a deputy, matters of discipline or law, and voters who ask
not to be named stay with the station staff: the deputy never reads them, and
staff see the voter masked."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import AuditEvent, OutboundPush
from bot.services import texts
from lifecycle_kit import STAFF, VOTER, Inbox, build, deputy_of, name_them, number_in, ticket
from wechat_user import Phone

THE_COMPLAINT = "我要举报吴凤华代表收了…红包，请不要告诉他是我说的"


def _pushes_to(db, openid: str) -> list[str]:
    db.expire_all()
    return [p.payload["text"] for p in db.scalars(select(OutboundPush).where(OutboundPush.recipient_openid == openid))]


def test_a_complaint_about_the_deputy_reaches_staff_masked_and_never_the_deputy(app, demo, db, inbox):
    deputy = name_them(db)
    answer = Phone(app, VOTER).says(THE_COMPLAINT).text
    number = number_in(answer)
    assert answer == texts.RECEIVED_CONFIDENTIAL.format(number=number, deputy="吴凤华 代表或其他代表")
    assert _pushes_to(db, deputy.openid) == []
    [alert] = inbox(STAFF)
    assert alert.startswith(f"【保密】{number} [") and f"吴某：{THE_COMPLAINT}" in alert
    assert "点名反映吴凤华代表" in alert and "群众要求保密" in alert
    assert "吴建国" not in alert and "上丰村" not in alert
    held = ticket(db, number)
    assert (held.confidential, held.deputy_id, held.needs_triage) == (True, None, True)
    assert set(held.confidential_reason.split(",")) == {"names_deputy", "sensitive", "anonymity"}
    desk = Phone(app, deputy.openid)
    assert number not in desk.says("我的工单").text
    assert desk.says(f"受理 {number}").text == texts.DEPUTY_NO_SUCH_TICKET.format(number=number)
    assert _pushes_to(db, deputy.openid) == []


def test_with_mask_village_off_staff_see_the_village_too(make_app, demo, db):
    app = build(make_app, MASK_VILLAGE=False)
    name_them(db)
    Phone(app, VOTER).says(THE_COMPLAINT)
    [alert] = Inbox(app, db)(STAFF)
    assert f"吴某（上丰村）：{THE_COMPLAINT}" in alert and "吴建国" not in alert


def test_a_discipline_complaint_goes_to_staff_only(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村会计挪用集体资金好几年了，账目从来不公开").text)
    assert ticket(db, number).confidential and ticket(db, number).deputy_id is None
    assert "纪检监察、政法等敏感事项" in inbox.last(STAFF)
    assert _pushes_to(db, deputy.openid) == []


@pytest.mark.parametrize("request_words", ["匿名", "不要告诉代表是我说的"])
def test_asking_for_anonymity_later_takes_the_ticket_back_from_the_deputy(app, ext, demo, db, inbox, request_words):
    deputy = deputy_of(db, VOTER)
    voter = Phone(app, VOTER)
    number = number_in(voter.says("村里自来水停了三天了").text)
    Phone(app, deputy.openid).says(f"受理 {number}")
    assert len(inbox(deputy.openid)) == 1
    ext.clock.value += 600
    assert voter.says(request_words).text == texts.ANONYMITY_WITHDRAWN.format(number=number,
                                                                             deputy=f"{deputy.name} 代表")
    assert inbox.last(deputy.openid) == texts.DEPUTY_TAKEN_OVER.format(number=number)
    assert "自来水" not in inbox.last(deputy.openid)
    alert = inbox.last(STAFF)
    assert alert.startswith(f"【保密】{number}") and f"已从{deputy.name}代表处收回" in alert
    held = ticket(db, number)
    assert (held.confidential, held.deputy_id) == (True, None)
    assert Phone(app, deputy.openid).says(f"办结 {number} 已修好").text == \
        texts.DEPUTY_NO_SUCH_TICKET.format(number=number)
    assert voter.says(request_words).text == texts.ANONYMITY_ALREADY.format(number=number)


def test_an_addition_asking_for_anonymity_never_reaches_the_deputy(app, ext, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    voter = Phone(app, VOTER)
    number = number_in(voter.says("村里自来水停了三天了").text)
    assert len(inbox(deputy.openid)) == 1  # sent before the addition (one still waiting is stopped)
    ext.clock.value += 30
    voter.says("补充一下，水管是村干部家修房子挖断的，别告诉代表是我说的")
    got = inbox(deputy.openid)
    assert len(got) == 2 and got[-1] == texts.DEPUTY_TAKEN_OVER.format(number=number)
    assert not any("挖断" in text for text in got)
    assert ticket(db, number).confidential


def test_a_question_about_anonymity_withdraws_nothing(app, ext, demo, db):
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value += 600
    Phone(app, VOTER).says("可以匿名吗")
    assert not ticket(db, number).confidential


def test_confidential_reports_are_never_merged(app, ext, demo, db):
    first = number_in(Phone(app, VOTER).says("村里自来水停了三天了，请匿名处理").text)
    ext.clock.value += 3600
    answer = Phone(app, "oDEMO_voter_12_04").says("村里自来水也停了好几天了").text  # same village
    assert "同村已有群众" not in answer and ticket(db, number_in(answer)).duplicate_of_id is None
    ext.clock.value += 3600
    answer = Phone(app, "oDEMO_voter_12_04").says("村里自来水又停了，别告诉代表是我说的").text
    assert ticket(db, number_in(answer)).duplicate_of_id is None and ticket(db, first).confidential


def test_probing_numbers_gets_one_answer_and_writes_nothing_on_the_ticket(app, demo, db):
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    before = [e.kind for e in ticket(db, number).events]
    other = Phone(app, "oDEMO_deputy_002")  # a city deputy, not assigned
    seq = int(number.split("-")[1])
    missing = seq + 500
    theirs, nothing = other.says(f"办结 {seq} 随便写写").text, other.says(f"办结 {missing} 随便写写").text
    assert theirs.replace(str(seq), "N") == nothing.replace(str(missing), "N")
    assert [e.kind for e in ticket(db, number).events] == before
    denied = db.scalars(select(AuditEvent).where(AuditEvent.action == "ticket.denied")).all()
    assert [(a.target, a.actor.startswith("deputy:")) for a in denied] == [(number, True)]


def test_a_merged_neighbour_asking_for_anonymity_is_unlinked_without_a_word_to_the_deputy(app, ext, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    first = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value += 3600
    neighbour = Phone(app, "oDEMO_voter_12_04")
    second = number_in(neighbour.says("村里自来水也停了好几天了").text)
    assert ticket(db, second).status == "merged"
    heard = len(inbox(deputy.openid))
    ext.clock.value += 600
    assert neighbour.says("匿名").text.startswith(f"好的，您反映的 {second} 已改为由联络站工作人员直接处理")
    mine = ticket(db, second)
    assert (mine.status, mine.duplicate_of_id, mine.deputy_id, mine.confidential) == ("new", None, None, True)
    assert len(inbox(deputy.openid)) == heard and ticket(db, first).status == "new"
    assert inbox.last(STAFF).startswith(f"【保密】{second}")
