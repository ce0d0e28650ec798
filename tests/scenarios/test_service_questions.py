"""Voters asking about the service itself are answered, not filed: what the
account does, who their deputy is, whether a real name is needed, whether
voice works. Nothing reaches a deputy."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.models import Deputy, Mandate, OutboundPush, Ticket, Village, Voter
from bot.services import texts
from lifecycle_kit import VOTER, Inbox, deputy_of
from wechat_user import Phone

ASKED = ["帮助", "怎么用这个公众号", "这个公众号是干啥的", "我们村的人大代表是谁", "反映问题要不要写真名", "发语音可以吗"]
ALSO_ASKED = ["这个号能干什么", "怎么反映问题", "可以匿名吗", "我的代表是哪位", "能发语音吗", "使用说明",
              "谁是我们村的代表", "怎么给代表留言", "语音可以吗", "要写名字吗", "帮助！"]



def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count(model.id)))


def nothing_filed(db, ext) -> bool:
    return count(db, Ticket) == 0 and count(db, OutboundPush) == 0 and not ext.queue.items


@pytest.mark.parametrize("question", ASKED + ALSO_ASKED)
def test_a_bound_voter_asking_about_the_service_gets_the_guide_with_their_deputy(app, ext, demo, db, question):
    deputy = deputy_of(db, VOTER)
    answer = Phone(app, VOTER).says(question).text
    assert texts.SERVICE_ABOUT in answer
    assert texts.SERVICE_DEPUTY.format(names=deputy.name) in answer
    assert texts.SERVICE_NAME in answer and texts.SERVICE_VOICE in answer
    assert nothing_filed(db, ext)


@pytest.mark.parametrize("question, first", [
    ("我们村的人大代表是谁", "联系您的人大代表是"), ("我的代表是哪位", "联系您的人大代表是"),
    ("反映问题要不要写真名", texts.SERVICE_NAME), ("可以匿名吗", texts.SERVICE_NAME),
    ("发语音可以吗", texts.SERVICE_VOICE), ("能发语音吗", texts.SERVICE_VOICE),
    ("这个公众号是干啥的", texts.SERVICE_ABOUT), ("帮助", texts.SERVICE_ABOUT),
])
def test_the_answer_starts_with_what_was_asked(app, demo, db, question, first):
    assert Phone(app, VOTER).says(question).text.startswith(first)


@pytest.mark.parametrize("question", ASKED)
def test_someone_we_do_not_know_is_told_how_to_bind(app, ext, demo, db, question):
    answer = Phone(app, "oNewcomer_asks_01").says(question).text
    assert texts.SERVICE_BIND in answer and "绑定 姓名 手机后四位" in answer
    assert "联系您的人大代表是 " not in answer  # no deputy named: we do not know who they are
    assert nothing_filed(db, ext)


def test_a_voter_outside_any_group_hears_of_the_deputies_of_their_constituency(app, ext, demo, db):
    voter = db.scalar(select(Voter).where(Voter.openid == VOTER))
    voter.group_id = None
    db.commit()
    constituency = db.scalar(select(Village.constituency_id).where(Village.id == voter.village_id))
    names = db.scalars(select(Deputy.name).join(Mandate, Mandate.deputy_id == Deputy.id).where(
        Mandate.level == "township", Mandate.constituency_id == constituency).order_by(Deputy.id)).all()
    assert names
    answer = Phone(app, VOTER).says("我的代表是谁").text
    assert answer.startswith(texts.SERVICE_DEPUTY.format(names="、".join(names)))
    assert nothing_filed(db, ext)


@pytest.mark.parametrize("opinion", ["村里的代表不管事，路灯坏了半年没人修", "希望代表帮我们反映一下修桥的事",
                                     "怎么反映都没人管，村口垃圾堆了一个月"])
def test_an_opinion_that_merely_mentions_the_deputy_or_reporting_is_still_filed(app, demo, db, opinion):
    deputy = deputy_of(db, VOTER)
    answer = Phone(app, VOTER).says(opinion).text
    assert answer.startswith("已收到您的意见（编号 ") and deputy.name in answer
    assert count(db, Ticket) == 1
    assert Inbox(app, db)(deputy.openid)[0].endswith(f"：{opinion}")


def test_a_matter_told_beside_a_service_question_is_answered_and_filed(app, demo, db):
    deputy = deputy_of(db, VOTER)
    answer = Phone(app, VOTER).says("我们村的人大代表是谁？路灯坏了半年没人修").text
    assert answer.startswith(texts.SERVICE_DEPUTY.format(names=deputy.name))
    assert "已收到您的意见（编号 " in answer
    assert count(db, Ticket) == 1
    filed = db.scalar(select(Ticket))
    assert filed.text == "我们村的人大代表是谁？路灯坏了半年没人修"
    assert (filed.category, filed.needs_triage) == ("城乡建设", False)  # classified on the matter, not the question


@pytest.mark.parametrize("said", [
    "怎么联系我们的代表，我家老人看病报销的钱三个月了还没到",
    "我的代表是谁，我想反映一下邻居家的狗天天半夜叫",
    "我们村的代表是谁都不知道，选出来以后就再也没见过人",
])
def test_a_complaint_beside_a_service_question_is_filed_even_when_the_model_is_unsure(app, demo, db, said):
    """Found in review: these got the help text and no ticket at all. An unsure
    matter is still a matter: it is filed and waits in staff triage if need be."""
    answer = Phone(app, VOTER).says(said).text
    assert "已收到您的意见（编号 " in answer
    assert count(db, Ticket) == 1 and db.scalar(select(Ticket)).text == said


def test_a_long_question_about_the_service_alone_is_not_filed(app, ext, demo, db):
    answer = Phone(app, VOTER).says("请问一下在这个公众号上反映问题要不要写真实姓名").text
    assert answer.startswith(texts.SERVICE_NAME)
    assert nothing_filed(db, ext)


def test_a_deputy_asking_for_help_still_gets_the_command_help(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    assert Phone(app, deputy.openid).says("帮助").text == texts.DEPUTY_HELP
    assert nothing_filed(db, ext)


def test_a_voice_question_about_the_service_is_answered_too(app, ext, demo, db):
    answer = Phone(app, VOTER).voice("发语音可以吗", "MEDIA_VOICE_ASK").text
    assert answer.startswith(texts.SERVICE_VOICE)
    assert nothing_filed(db, ext)
