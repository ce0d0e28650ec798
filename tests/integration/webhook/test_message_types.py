"""Every message type and event parses, is stored once, and gets a fitting answer."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.models import InboundMessage, Ticket, Voter
from places import VECTORS
from wechat_user import Phone

SAMPLES = VECTORS / "messages" / "oa"


def post_sample(app, name: str):
    ext = app.extensions["liaison"]
    plaintext = (SAMPLES / name).read_text(encoding="utf-8")
    import re

    ext.clock.value = int(re.search(r"<CreateTime>(\d+)</CreateTime>", plaintext).group(1))
    return Phone(app, "x").post_xml(plaintext)


@pytest.mark.parametrize("name,answer_has", [
    ("image.xml", "已收到您发送的图片"),
    ("video.xml", "已收到您发送的视频"),
    ("location.xml", "已收到您发送的位置"),
    ("link.xml", "已收到您发送的链接"),
    ("event_subscribe.xml", "欢迎关注"),
    ("event_click.xml", "欢迎关注"),
    ("event_subscribe_qrscene.xml", "二维码已失效或无法识别"),
    ("event_scan.xml", "二维码已失效或无法识别"),
    ("SYNTH_event_subscribe_qrscene_str.xml", "二维码已失效或无法识别"),
])
def test_samples_get_a_polite_answer_and_no_ticket(app, db, name, answer_has):
    answer = post_sample(app, name)
    assert answer.status == 200
    assert answer_has in answer.text
    assert db.scalar(select(func.count(InboundMessage.id))) == 1
    assert db.scalar(select(func.count(Ticket.id))) == 0


@pytest.mark.parametrize("name", ["event_view.xml", "event_location.xml", "event_templatesendjobfinish.xml",
                                  "event_unsubscribe.xml"])
def test_silent_events_are_stored_and_answered_success(app, db, name):
    answer = post_sample(app, name)
    assert (answer.status, answer.body) == (200, "success")
    assert db.scalar(select(func.count(InboundMessage.id))) == 1


def test_voice_with_recognition_becomes_a_ticket_with_the_recognised_text(app, db):
    # The official sample, saying what a voter would say (its own text, "腾讯微信团队", names no matter).
    plaintext = (SAMPLES / "voice_recognition.xml").read_text(encoding="utf-8").replace("腾讯微信团队", "村里的路灯坏了半个月了")
    app.extensions["liaison"].clock.value = 1357290913
    answer = Phone(app, "x").post_xml(plaintext)
    assert answer.text.startswith("已收到您的意见")
    assert db.scalar(select(Ticket.text)) == "村里的路灯坏了半个月了"
    assert db.scalar(select(InboundMessage.extra))["MediaId"] == "media_id"


def test_voice_without_recognition_asks_again(app, db):
    plaintext = (SAMPLES / "voice_recognition.xml").read_text(encoding="utf-8").replace(
        "<Recognition><![CDATA[腾讯微信团队]]></Recognition>", "")
    app.extensions["liaison"].clock.value = 1357290913
    answer = Phone(app, "x").post_xml(plaintext)
    assert "没能听清" in answer.text
    assert db.scalar(select(func.count(Ticket.id))) == 0


def test_text_sample_becomes_a_ticket(app, db):
    answer = post_sample(app, "text.xml")
    assert answer.text.startswith("已收到您的意见")
    assert db.scalar(select(func.count(Ticket.id))) == 1


def test_unknown_message_type_is_stored_and_answered_politely(app, db):
    app.extensions["liaison"].clock.value = 1348831860
    body = (VECTORS / "negative" / "unknown_msgtype.xml").read_text()
    answer = Phone(app, "fromUser").post_xml(body)
    assert answer.text == "暂时不支持这种消息，请发送文字或语音。"
    row = db.scalar(select(InboundMessage))
    assert row.msg_type == "zzz"


def test_unsubscribe_stops_pushes_but_keeps_the_voter(app, db):
    phone = Phone(app, "oLeaving")
    phone.says("路灯坏了")
    assert phone.event("unsubscribe").body == "success"
    voter = db.scalar(select(Voter).where(Voter.openid == "oLeaving"))
    assert voter.subscribed is False
    assert db.scalar(select(func.count(Ticket.id))) == 1
    phone.event("subscribe")
    db.expire_all()
    assert db.get(Voter, voter.id).subscribed is True
