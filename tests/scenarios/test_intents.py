"""What a voter means decides what happens: only opinions open tickets."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.models import LabelledExample, OutboundPush, Ticket, TicketEvent, Voter
from bot.services import texts
from wechat_user import Phone

VOTER = "oDEMO_voter_12_01"  # a fixed voter of a group at 上丰联络点 (points receive on the 10th)
STAFF = "oSTAFF_on_duty_0001"


@pytest.fixture
def app(make_app):
    app = make_app(STAFF_OPENIDS=STAFF)
    app.extensions["liaison"].clock.value = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc).timestamp()
    return app


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count(model.id)))


def test_a_greeting_gets_a_friendly_answer_and_no_ticket(app, demo, db):
    phone = Phone(app, VOTER)
    assert phone.says("你好").text == texts.GREETING
    assert phone.says("谢谢").text == texts.THANKS
    assert count(db, Ticket) == 0 and count(db, OutboundPush) == 0


def test_a_reception_day_question_is_answered_from_the_voters_site(app, demo, db):
    voter = db.scalar(select(Voter).where(Voter.openid == VOTER))
    answer = Phone(app, VOTER).says("接待日是哪天").text
    assert answer.startswith(f"下次接待日：12月10日，上午 9:00–12:00，地点：{voter.site.name}")
    assert "接待代表：" in answer and voter.group.deputy.name in answer
    assert count(db, Ticket) == 0


def test_where_is_my_point(app, demo, db):
    voter = db.scalar(select(Voter).where(Voter.openid == VOTER))
    answer = Phone(app, VOTER).says("联络点在哪里").text
    assert answer == f"您所在的是{voter.site.name}，地址：{voter.site.address}。每月10日接待选民。"


def test_a_stranger_asking_about_reception_days_gets_the_general_rule(app, db):
    assert Phone(app, "oNewcomer").says("接待日是哪天").text == texts.RECEPTION_GENERAL


def test_benefits_question_gets_the_guide(app, db):
    assert Phone(app, "oNewcomer").says("低保怎么申请").text == texts.BENEFITS_ANSWER
    assert count(db, Ticket) == 0


def test_progress_lists_the_voters_own_tickets(app, demo, db):
    phone = Phone(app, VOTER)
    number = phone.says("村里自来水停了三天了").text.split("编号 ")[1].split("）")[0]
    answer = phone.says("我反映的问题办得怎么样了").text
    assert answer.startswith("您反映的意见：") and f"{number} 已收到（11月26日）村里自来水停了三天了" in answer
    assert count(db, Ticket) == 1


def test_an_urgent_message_alerts_the_deputy_and_staff_at_once(app, ext, demo, db):
    answer = Phone(app, VOTER).says("家里煤气泄漏了，快来人")
    assert answer.text.startswith("已收到您的意见") and answer.text.endswith(texts.URGENT_ADVICE)
    ticket = db.scalar(select(Ticket))
    assert ticket.urgent
    pushes = {p.recipient_openid: p for p in db.scalars(select(OutboundPush))}
    assert set(pushes) == {ticket.deputy.openid, STAFF}
    assert pushes[ticket.deputy.openid].payload["text"].startswith("【紧急】新意见 ")
    assert pushes[STAFF].payload["text"].startswith(f"【紧急】{ticket.number}")
    assert sorted(args[0] for _, args in ext.queue.items) == sorted(p.id for p in pushes.values())


def test_panic_without_any_danger_word_still_alerts_staff_at_once(app, ext, demo, db):
    answer = Phone(app, VOTER).says("俺爹从梯子上掉下来 叫也不答应")
    assert answer.text.endswith(texts.URGENT_ADVICE)
    ticket = db.scalar(select(Ticket))
    assert ticket.urgent
    assert STAFF in {p.recipient_openid for p in db.scalars(select(OutboundPush))}


def test_a_followup_is_added_to_the_open_ticket(app, ext, demo, db):
    phone = Phone(app, VOTER)
    phone.says("村里自来水停了三天了")
    ext.queue.items.clear()
    answer = phone.says("我上次说的水管的事还没人来修").text
    ticket = db.scalar(select(Ticket))
    assert answer == f"已补充到 {ticket.number}，已转告 {ticket.deputy.name} 代表。"
    assert count(db, Ticket) == 1
    assert [e.kind for e in db.scalars(select(TicketEvent).order_by(TicketEvent.id))][-1] == "followup"
    push = db.get(OutboundPush, ext.queue.items[0][1][0])
    assert push.payload["text"] == f"补充 {ticket.number}：我上次说的水管的事还没人来修"


def test_a_followup_without_an_open_ticket_becomes_an_opinion(app, demo, db):
    assert Phone(app, VOTER).says("我上次说的水管的事还没人来修").text.startswith("已收到您的意见")


def test_a_rating_needs_a_resolved_ticket(app, demo, db):
    phone = Phone(app, VOTER)
    assert phone.says("5").text == texts.RATING_NONE
    phone.says("村里自来水停了三天了")
    ticket = db.scalar(select(Ticket))
    ticket.status = "resolved"
    db.commit()
    assert phone.says("很满意").text == f"感谢您对 {ticket.number} 办理结果的评价！"
    db.expire_all()
    assert db.get(Ticket, ticket.id).status == "rated"
    assert phone.says("5").text == texts.RATING_NONE  # once


def test_an_unsure_classification_reaches_the_deputy_and_the_triage_queue(app, demo, db):
    Phone(app, VOTER).says("村东头那个东西不太好")
    ticket = db.scalar(select(Ticket))
    assert ticket.deputy_id is not None and ticket.needs_triage
    assert count(db, OutboundPush) == 1


def test_a_staff_correction_is_kept_as_a_training_example(app, demo, db):
    from bot.cli import main
    from bot.cli.context import State

    Phone(app, VOTER).says("村东头那个东西不太好")
    number = db.scalar(select(Ticket.number))
    run = app.test_cli_runner()
    obj = State(app=app)
    listed = run.invoke(main, ["triage", "list", "--json"], obj=obj)
    assert number in listed.output
    bad = run.invoke(main, ["triage", "correct", number, "火星事务", "--by", "李干事"], obj=obj)
    assert bad.exit_code != 0 and "不是分类之一" in bad.output
    done = run.invoke(main, ["triage", "correct", number, "城乡建设", "--by", "李干事"], obj=obj)
    assert done.exit_code == 0, done.output
    db.expire_all()
    ticket = db.scalar(select(Ticket))
    assert (ticket.category, ticket.needs_triage) == ("城乡建设", False)
    example = db.scalar(select(LabelledExample))
    assert (example.text, example.label, example.created_by) == ("村东头那个东西不太好", "城乡建设", "李干事")
    assert number not in run.invoke(main, ["triage", "list"], obj=obj).output


def test_ticket_keeps_the_suggested_office_and_level(app, demo, db):
    Phone(app, VOTER).says("村里自来水停了三天了")
    ticket = db.scalar(select(Ticket))
    assert ticket.office and ticket.level in ("township", "county")


def test_training_can_include_the_stored_corrections(app, demo, db, tmp_path):
    import json

    from bot.cli import main
    from bot.cli.context import State

    Phone(app, VOTER).says("村东头那个东西不太好")
    number = db.scalar(select(Ticket.number))
    obj = State(app=app)
    run = app.test_cli_runner()
    run.invoke(main, ["triage", "correct", number, "城乡建设", "--by", "李干事"], obj=obj)
    data = tmp_path / "tiny"
    data.mkdir()
    rows = [("学校老师收费", "教育文体"), ("学校学生上学难", "教育文体"), ("老师体罚学生", "教育文体"),
            ("幼儿园收费太高", "教育文体"), ("自来水停了", "城乡建设"), ("路灯坏了", "城乡建设"),
            ("物业乱收费", "城乡建设"), ("自来水管爆了", "城乡建设")] * 2
    (data / "train.jsonl").write_text("\n".join(json.dumps({"id": f"r{i}", "text": t, "label": lab},
                                                           ensure_ascii=False) for i, (t, lab) in enumerate(rows)),
                                      encoding="utf-8")
    out = tmp_path / "model.npz"
    result = run.invoke(main, ["nlp", "train", "--data", str(data), "--out", str(out), "--include-corrections"],
                        obj=obj)
    assert result.exit_code == 0, result.output
    assert "加入工作人员的分类更正 1 条" in result.output and out.exists()


@pytest.mark.parametrize("text", ["联络站在哪？我家旁边煤气泄漏了，快来人", "补充一下，电线掉下来了，刚才有人触电了"])
def test_danger_inside_a_question_or_followup_still_opens_an_urgent_ticket(app, demo, db, text):
    phone = Phone(app, VOTER)
    phone.says("村里自来水停了三天了")
    answer = phone.says(text).text
    assert answer.endswith(texts.URGENT_ADVICE)
    urgent = db.scalar(select(Ticket).where(Ticket.urgent.is_(True)))
    assert urgent is not None and urgent.text == text
    assert db.scalar(select(OutboundPush).where(OutboundPush.recipient_openid == STAFF)) is not None


def test_an_opinion_that_starts_with_the_claim_word_is_an_opinion(app, demo, db):
    answer = Phone(app, VOTER).says("绑定银行卡的补贴怎么还没发到账，村里一直拖着").text
    assert answer.startswith("已收到您的意见")


def test_a_complaint_worded_like_a_rating_opens_a_ticket_when_nothing_awaits_rating(app, demo, db):
    assert Phone(app, VOTER).says("对村里垃圾处理很不满意").text.startswith("已收到您的意见")
    assert count(db, Ticket) == 1


def test_a_question_carrying_a_complaint_gets_the_answer_and_a_ticket(app, demo, db):
    answer = Phone(app, VOTER).says("接待日是哪天？另外村口的路坑坑洼洼的，下雨天根本没法走").text
    first, second = answer.split("\n")
    assert first.startswith("下次接待日：") and second.startswith("已收到您的意见")
    assert count(db, Ticket) == 1


def test_rating_words_beat_digits_in_the_comment(app, demo, db):
    from bot.services.tickets.ratings import score

    assert score("满意，跑了2次就办好了") == 4
    assert score("非常不满意，等了5天") == 1
    assert score("5") == 5 and score("打4分") == 4 and score("等了5天") is None


def test_a_correction_reroutes_the_ticket_to_the_new_categorys_office(app, demo, db):
    from bot.nlp.routing import route
    from bot.services.tickets import triage

    Phone(app, VOTER).says("村东头那个东西不太好")
    ticket = db.scalar(select(Ticket))
    triage.correct(db, ticket, "民政", "李干事", ticket.created_at)
    assert (ticket.office, ticket.level) == (route("民政", ticket.text).office, route("民政", ticket.text).level)
