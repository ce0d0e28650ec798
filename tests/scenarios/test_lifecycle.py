"""An opinion followed to its result: the deputy acts from WeChat, the voter
hears about every step and rates the handling."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import TicketEvent
from bot.services import texts
from lifecycle_kit import (COUNTY_OFFICE, NEIGHBOUR, STAFF, VOTER, city_contact, county_contact, deputy_of,
                           number_in, ticket)
from wechat_user import Phone


def test_the_whole_happy_path(app, ext, demo, db, inbox):
    voter = Phone(app, VOTER)
    deputy = deputy_of(db, VOTER)
    desk = Phone(app, deputy.openid)

    number = number_in(voter.says("村里自来水停了三天了").text)
    short = str(int(number[-6:]))
    new = inbox.last(deputy.openid)
    assert new.startswith(f"新意见 {number} [城乡建设] 上丰村 ") and new.endswith("：村里自来水停了三天了")

    assert desk.says(f"受理 {short}").text.startswith(f"已受理 {number}，已告知群众。")
    assert inbox.last(VOTER) == f"您反映的意见 {number} 已由 {deputy.name} 代表受理，办理结果会告诉您。"
    assert ticket(db, number).status == "accepted"

    assert desk.says(f"回复 {number} 已联系水务站，明天上午来修").text == f"已把您的答复发给 {number} 的群众。"
    assert inbox.last(VOTER) == f"{deputy.name} 代表回复您反映的 {number}：已联系水务站，明天上午来修"
    assert ticket(db, number).status == "replied"

    assert desk.says(f"办结 {short} 已修复通水").text == f"{number} 已办结，已告知群众并请其评价。"
    told = inbox.last(VOTER)
    assert told.startswith(f"您反映的意见 {number} 已办结：已修复通水\n请为本次办理评价：1 很不满意")
    assert "5 很满意" in told
    assert ticket(db, number).status == "resolved"

    assert voter.says("5").text == f"感谢您对 {number} 办理结果的评价！"
    done = ticket(db, number)
    assert (done.status, done.rating) == ("rated", 5)
    assert inbox.last(deputy.openid) == f"{number} 群众评价：5 分"

    events = db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == done.id).order_by(TicketEvent.id)).all()
    assert [e.kind for e in events] == ["created", "assigned", "accepted", "replied", "resolved", "rated"]
    assert events[3].actor == f"deputy:{deputy.id}" and events[3].note == "已联系水务站，明天上午来修"
    assert len(inbox(VOTER)) == 3  # accepted, reply, resolved: one push each


def test_a_deputy_may_speak_the_command(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    short = int(number[-6:])
    assert Phone(app, deputy.openid).voice(f"受理{short}。").text.startswith(f"已受理 {number}")
    assert inbox.last(VOTER).startswith(f"您反映的意见 {number} 已由")


def test_commands_forgive_full_width_digits_spaces_and_number_forms(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    short = str(int(number[-6:]))
    wide = short.translate({ord(str(i)): chr(0xFF10 + i) for i in range(10)})
    assert Phone(app, deputy.openid).says(f"　受理{wide}。").text.startswith(f"已受理 {number}")
    wide_number = number.replace("-", "－")
    assert Phone(app, deputy.openid).says(f"回复　{wide_number}：好的，马上去看").text.startswith("已把您的答复")
    assert inbox.last(VOTER).endswith("：好的，马上去看")


def test_a_rating_with_words_and_a_comment(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    voter = Phone(app, VOTER)
    number = number_in(voter.says("路灯坏了一个月了").text)
    desk = Phone(app, deputy.openid)
    desk.says(f"受理 {number}")
    desk.says(f"办结 {number} 已换新灯")
    assert voter.says("基本满意，就是慢了点").text == f"感谢您对 {number} 办理结果的评价！您的留言已转告代表。"
    done = ticket(db, number)
    assert (done.rating, done.rating_comment) == (3, "就是慢了点")
    assert inbox.last(deputy.openid) == f"{number} 群众评价：3 分 就是慢了点"
    assert voter.says("5").text == texts.RATING_NONE  # once
    assert ticket(db, number).rating == 3


def test_a_voter_cannot_rate_someone_elses_ticket(app, demo, db):
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("路灯坏了一个月了").text)
    Phone(app, deputy.openid).says(f"受理 {number}")
    Phone(app, deputy.openid).says(f"办结 {number} 已换新灯")
    assert Phone(app, NEIGHBOUR).says("1").text == texts.RATING_NONE
    assert ticket(db, number).status == "resolved"


def test_not_solved_within_seven_days_reopens_it(app, ext, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    voter, desk = Phone(app, VOTER), Phone(app, deputy.openid)
    number = number_in(voter.says("村里自来水停了三天了").text)
    desk.says(f"受理 {number}")
    desk.says(f"办结 {number} 已修复通水")
    voter.says("2")
    ext.clock.value += timedelta(days=6).total_seconds()
    assert voter.says("没解决，又停水了").text == f"已重新办理 {number}，已告知 {deputy.name} 代表。"
    reopened = ticket(db, number)
    assert (reopened.status, reopened.rating, reopened.resolved_at) == ("reopened", None, None)
    assert inbox.last(deputy.openid) == f"重新办理 {number}：群众说问题没有解决。没解决，又停水了"
    assert desk.says(f"办结 {number} 好了").text.startswith(f"{number} 还没有受理，请先发送：受理")
    assert desk.says(f"受理 {number}").text.startswith(f"已受理 {number}")
    assert desk.says(f"办结 {number} 换了新水泵").text.startswith(f"{number} 已办结")
    assert inbox.last(VOTER).startswith(f"您反映的意见 {number} 已办结：换了新水泵")


@pytest.mark.parametrize("said, push_ends", [
    ("没解决", "群众说问题没有解决。"), ("还是没解决", "群众说问题没有解决。"), ("问题没有解决", "群众说问题没有解决。"),
    ("没解决！", "群众说问题没有解决。"), ("没解决，水还是不通", "群众说问题没有解决。没解决，水还是不通"),
])
def test_the_reopen_push_quotes_the_voter_only_when_they_say_more(app, ext, demo, db, inbox, said, push_ends):
    deputy = deputy_of(db, VOTER)
    voter, desk = Phone(app, VOTER), Phone(app, deputy.openid)
    number = number_in(voter.says("村里自来水停了三天了").text)
    desk.says(f"受理 {number}")
    desk.says(f"办结 {number} 已修复通水")
    ext.clock.value += timedelta(days=1).total_seconds()
    assert voter.says(said).text == f"已重新办理 {number}，已告知 {deputy.name} 代表。"
    assert inbox.last(deputy.openid) == f"重新办理 {number}：{push_ends}"


def test_not_solved_after_seven_days_is_too_late(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    voter = Phone(app, VOTER)
    number = number_in(voter.says("村里自来水停了三天了").text)
    Phone(app, deputy.openid).says(f"受理 {number}")
    Phone(app, deputy.openid).says(f"办结 {number} 已修复通水")
    ext.clock.value += timedelta(days=8).total_seconds()
    assert voter.says("没解决").text == texts.REOPEN_TOO_LATE.format(number=number, days=7)
    assert ticket(db, number).status == "resolved"


def test_progress_lists_the_voters_tickets_with_status(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    voter = Phone(app, VOTER)
    first = number_in(voter.says("村里自来水停了三天了").text)
    ext.clock.value += 600  # a new matter, later: not part of the first one
    second = number_in(voter.says("村口路灯坏了一个月了").text)
    Phone(app, deputy.openid).says(f"受理 {first}")
    for word in ("进度", "我的意见"):
        listed = voter.says(word).text
        assert listed.startswith("您反映的意见：")
        assert f"{first} 已受理" in listed and f"{second} 已收到" in listed


def test_my_tickets_lists_open_tickets_oldest_first(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    desk = Phone(app, deputy.openid)
    assert desk.says("我的工单").text == texts.DEPUTY_MINE_NONE
    first = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value += 60
    second = number_in(Phone(app, NEIGHBOUR).says("村口路灯坏了一个月了").text)
    ext.clock.value += 600
    third = number_in(Phone(app, VOTER).says("垃圾没人清运").text)
    desk.says(f"受理 {third}")
    desk.says(f"办结 {third} 已清运")
    lines = desk.says("我 的 工单").text.split("\n")
    assert lines[0] == "您的待办工单（2 件，最早的在前）："
    assert lines[1].startswith(f"{first} 已收到（11月26日）") and lines[2].startswith(f"{second} 已收到")
    assert desk.says("帮助").text == texts.DEPUTY_HELP


def test_a_deputy_cannot_act_on_someone_elses_ticket(app, demo, db, inbox, caplog):
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    other = Phone(app, "oDEMO_deputy_002")  # a city deputy, not assigned
    with caplog.at_level(logging.WARNING):
        answer = other.says(f"办结 {number} 随便写写").text
    assert answer == texts.DEPUTY_NO_SUCH_TICKET.format(number=number)
    assert "refused" in caplog.text and number in caplog.text
    refused = ticket(db, number)
    assert refused.status == "new" and "refused" not in [e.kind for e in refused.events]
    assert inbox(VOTER) == []


def test_refusals_for_unknown_numbers_bad_states_and_malformed_commands(app, demo, db):
    deputy = deputy_of(db, VOTER)
    desk = Phone(app, deputy.openid)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    assert desk.says("受理 99999").text == texts.DEPUTY_NO_SUCH_TICKET.format(number="99999")
    assert desk.says("回复 123").text == texts.DEPUTY_USAGE.format(usage=texts.DEPUTY_USAGES["回复"])
    assert desk.says(f"回复 {number} 马上去").text.startswith(f"{number} 还没有受理")
    desk.says(f"受理 {number}")
    assert desk.says(f"受理 {number}").text == f"{number} 目前是“已受理”，不能受理。"
    assert desk.says(f"转办 {number} 火星办事处").text.startswith("没有叫“火星办事处”的站所")


def test_a_voter_saying_a_command_word_is_an_ordinary_voter(app, demo, db):
    answer = Phone(app, VOTER).says("回复一下我上次说的路灯问题，路灯还是不亮").text
    assert answer.startswith("已收到您的意见")


def test_transfer_to_a_township_office(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    desk = Phone(app, deputy.openid)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    desk.says(f"受理 {number}")
    assert desk.says(f"转办 {number} 水务站").text == f"{number} 已转 水务站 办理，已告知群众。"
    moved = ticket(db, number)
    assert (moved.status, moved.office) == ("transferred", "水务站")
    assert inbox.last(VOTER) == f"您反映的意见 {number} 已转 水务站 办理，{deputy.name} 代表会跟进结果。"


def test_return_sends_it_back_to_triage_and_tells_staff(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    assert Phone(app, deputy.openid).says(f"退回 {number} 不是我联系的村").text == f"{number} 已退回联络站重新分派。"
    back = ticket(db, number)
    assert (back.status, back.deputy_id, back.needs_triage) == ("new", None, True)
    assert inbox.last(STAFF).endswith(f"退回原因：不是我联系的村（{deputy.name} 代表），请重新分派。")
    assert Phone(app, deputy.openid).says(f"受理 {number}").text == texts.DEPUTY_NO_SUCH_TICKET.format(number=number)


def test_escalation_goes_to_the_county_deputy_and_office_with_a_receipt(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    county = county_contact(db, deputy)
    desk = Phone(app, deputy.openid)
    number = number_in(Phone(app, VOTER).says("县医院看病乱收费").text)
    desk.says(f"受理 {number}")
    assert desk.says(f"上报 {number} 县医院收费问题").text == \
        f"{number} 已上报县人大常委会和 {county.name} 代表，已告知群众。"
    up = ticket(db, number)
    assert (up.status, up.level, up.escalated_to_id) == ("escalated", "county", county.id)
    for openid in (county.openid, COUNTY_OFFICE):
        got = inbox.last(openid)
        assert got.startswith(f"上报 {number} [") and got.endswith(f"上报原因：县医院收费问题（{deputy.name} 代表）")
    assert inbox.last(VOTER) == texts.VOTER_ESCALATED.format(number=number, body="县人大常委会", upper=county.name)
    # The county deputy may now act on it; the township deputy cannot escalate it twice.
    assert Phone(app, county.openid).says("我的工单").text.split("\n")[1].startswith(f"{number} 已上报")
    assert desk.says(f"上报 {number} 再报一次").text == f"{number} 目前是“已上报”，不能上报。"
    assert Phone(app, county.openid).says(f"回复 {number} 已转县卫健局调查").text.startswith("已把您的答复")
    assert inbox.last(VOTER).startswith(f"{county.name} 代表回复您反映的 {number}")


def test_from_county_to_city_likewise(app, demo, db, inbox):
    from lifecycle_kit import CITY_OFFICE

    deputy = deputy_of(db, VOTER)
    county = county_contact(db, deputy)
    city = city_contact(db, county)
    number = number_in(Phone(app, VOTER).says("县医院看病乱收费").text)
    Phone(app, deputy.openid).says(f"受理 {number}")
    Phone(app, deputy.openid).says(f"上报 {number} 县医院收费问题")
    assert Phone(app, county.openid).says(f"上报 {number} 涉及市级医保政策").text == \
        f"{number} 已上报市人大常委会和 {city.name} 代表，已告知群众。"
    up = ticket(db, number)
    assert (up.level, up.escalated_to_id) == ("city", city.id)
    assert inbox.last(CITY_OFFICE).endswith(f"上报原因：涉及市级医保政策（{county.name} 代表）")
    assert Phone(app, city.openid).says(f"上报 {number} 再往上").text == texts.DEPUTY_TOP.format(number=number)


def test_staff_reject_a_message_that_is_not_an_opinion_and_the_voter_hears_why(app, demo, db, inbox):
    from bot.cli import main
    from bot.cli.context import State

    number = number_in(Phone(app, VOTER).says("卖新鲜土鸡蛋，要的联系我").text)
    run = app.test_cli_runner()
    obj = State(app=app)
    done = run.invoke(main, ["tickets", "reject", number, "这是广告，不是意见建议", "--by", "李干事"], obj=obj)
    assert done.exit_code == 0, done.output
    rejected = ticket(db, number)
    assert rejected.status == "rejected" and rejected.events[-1].actor == "staff:李干事"
    assert inbox.last(VOTER) == texts.VOTER_REJECTED.format(number=number, reason="这是广告，不是意见建议")
    again = run.invoke(main, ["tickets", "reject", number, "再退一次", "--by", "李干事"], obj=obj)
    assert again.exit_code != 0 and "不能退回" in again.output
    deputy = deputy_of(db, VOTER)
    assert Phone(app, deputy.openid).says(f"受理 {number}").text == f"{number} 目前是“已退回”，不能受理。"


def test_a_progress_note_marks_the_ticket_in_progress_and_tells_the_voter(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    desk = Phone(app, deputy.openid)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    assert desk.says(f"办理 {number} 已约水务站明天来看").text.startswith(f"{number} 还没有受理")
    desk.says(f"受理 {number}")
    assert desk.says(f"办理 {number} 已约水务站明天来看").text == f"{number} 已记为办理中，已把进展告诉群众。"
    assert inbox.last(VOTER) == f"您反映的意见 {number} 正在办理：已约水务站明天来看（{deputy.name} 代表）"
    assert ticket(db, number).status == "in_progress"
    assert desk.says(f"办结 {number} 已修复通水").text.startswith(f"{number} 已办结")
    assert ticket(db, number).status == "resolved"
