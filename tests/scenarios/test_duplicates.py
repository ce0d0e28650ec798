"""The same problem reported by several people of one village: linked to the
first ticket; the deputy handles it once and every voter hears the result."""
from __future__ import annotations

from sqlalchemy import select

from bot.models import Ticket, Voter
from bot.services.tickets.duplicates import SIMILAR, similarity
from lifecycle_kit import VOTER, Inbox, deputy_of, number_in, ticket
from wechat_user import Phone

SAME_VILLAGE = "oDEMO_voter_12_04"  # 上丰村, like VOTER, but in no way linked to them
OTHER_VILLAGE = "oDEMO_voter_12_02"



def test_the_kit_voters_live_where_the_tests_say(app, demo, db):
    village = {v.openid: v.village.name for v in db.scalars(select(Voter).where(
        Voter.openid.in_((VOTER, SAME_VILLAGE, OTHER_VILLAGE))))}
    assert village[VOTER] == village[SAME_VILLAGE] == "上丰村" != village[OTHER_VILLAGE]


def test_a_similar_report_from_the_same_village_is_linked_and_handled_once(app, ext, demo, db):
    inbox = Inbox(app, db)
    deputy = deputy_of(db, VOTER)
    first = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value += 3600
    answer = Phone(app, SAME_VILLAGE).says("村里自来水也停了好几天了").text
    second = number_in(answer)
    assert answer == (f"已收到您的意见（编号 {second}）。同村已有群众反映了类似问题（{first}），将一并办理，"
                      f"{deputy.name} 代表办理结果会告诉您。")
    dup = ticket(db, second)
    assert (dup.status, dup.deputy_id, dup.duplicate_of_id) == ("merged", deputy.id, ticket(db, first).id)
    got = inbox(deputy.openid)
    assert got[-1].startswith(f"另有 1 位群众反映类似问题（并入 {first}）[城乡建设] 上丰村 ")
    assert len(got) == 2  # the first ticket, then the note: no second "新意见"
    mine = Phone(app, deputy.openid).says("我的工单").text
    assert "另有 1 位群众反映类似问题" in mine and second not in mine

    desk = Phone(app, deputy.openid)
    desk.says(f"受理 {first}")
    assert inbox.last(SAME_VILLAGE) == f"您反映的意见 {second} 已由 {deputy.name} 代表受理，办理结果会告诉您。"
    desk.says(f"办结 {first} 已修复通水")
    assert inbox.last(VOTER).startswith(f"您反映的意见 {first} 已办结：已修复通水")
    # The result is written for the first voter; the neighbour hears it is resolved (test_reply_fanout.py).
    assert inbox.last(SAME_VILLAGE).startswith(f"您反映的问题已办结：{second}（{deputy.name} 代表）")
    assert (ticket(db, first).status, ticket(db, second).status) == ("resolved", "resolved")
    assert Phone(app, SAME_VILLAGE).says("4").text == f"感谢您对 {second} 办理结果的评价！"
    assert ticket(db, second).rating == 4 and ticket(db, first).status == "resolved"


def test_other_villages_other_categories_and_other_words_are_not_linked(app, ext, demo, db):
    Phone(app, VOTER).says("村里自来水停了三天了")
    for openid, text in ((OTHER_VILLAGE, "村里自来水停了三天了"), (SAME_VILLAGE, "我家的低保停发三个月了"),
                         (SAME_VILLAGE, "村口的路灯坏了一个月了")):
        ext.clock.value += 3600
        assert Phone(app, openid).says(text).text.startswith("已收到您的意见（编号 ")
        assert "同村已有群众" not in Phone(app, openid).says("进度").text
    db.expire_all()
    assert all(t.duplicate_of_id is None for t in db.scalars(select(Ticket)))


def test_similarity_of_short_chinese_texts():
    assert similarity("村里自来水停了三天了", "村里自来水也停了好几天了") >= SIMILAR
    assert similarity("村口的路灯坏了好几天了", "村口路灯坏了，晚上很黑") >= SIMILAR
    assert similarity("村里自来水停了三天了", "村口的路灯坏了一个月了") < SIMILAR
    assert similarity("我家门口的路灯坏了", "我家门口的水沟堵了") < SIMILAR  # same words, another problem


def test_an_urgent_report_is_never_folded_into_a_similar_ticket(app, ext, demo, db):
    """Danger stands alone: a second villager reporting a gas leak where one was
    already reported gets a ticket of their own, and the deputy and the station
    staff hear of it at once."""
    from bot.services import texts
    from lifecycle_kit import STAFF

    inbox = Inbox(app, db)
    deputy = deputy_of(db, VOTER)
    first = number_in(Phone(app, VOTER).says("村东头煤气管道漏气了，味道很大").text)
    ext.clock.value += 600
    answer = Phone(app, SAME_VILLAGE).says("村东头煤气管道还在漏气，味道很大").text
    second = number_in(answer)
    assert second != first and answer.endswith(texts.URGENT_ADVICE)
    urgent = ticket(db, second)
    assert urgent.urgent and urgent.duplicate_of_id is None and urgent.status != "merged"
    assert any(second in text for text in inbox(deputy.openid))
    assert any(second in text for text in inbox(STAFF))
