"""A matter told in several messages in a row stays one ticket: text, voice,
photos and the location extend the open ticket within the burst window."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.models import InboundMessage, Ticket
from lifecycle_kit import VOTER, Inbox, build, deputy_of, number_in, ticket
from wechat_user import Phone

@pytest.fixture
def app(make_app):
    return build(make_app)


def tickets(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count(Ticket.id)))


def test_a_burst_of_messages_is_one_ticket(app, ext, demo, db):
    phone = Phone(app, VOTER)
    deputy = deputy_of(db, VOTER)
    first = phone.says("村里自来水停了三天了").text
    assert first.startswith("已收到您的意见（编号 ")
    number = number_in(first)
    ext.clock.value += 40
    assert phone.says("家里做饭都没水用").text.startswith(f"已补充到 {number}")
    ext.clock.value += 40
    assert phone.voice("水管在村东头那段", "MEDIA_VOICE_1").text.startswith(f"已补充到 {number}")
    ext.clock.value += 40
    assert phone.image("MEDIA_IMG_1").text == f"已补充到 {number}（图片）。"
    ext.clock.value += 40
    assert phone.location("36.61", "114.48", "上丰村东头水井").text == f"已补充到 {number}（位置）。"
    assert tickets(db) == 1
    t = ticket(db, number)
    assert t.place == "上丰村东头水井（36.61,114.48）"
    kinds = [(e.kind, e.note) for e in t.events]
    assert ("followup", "家里做饭都没水用") in kinds and ("followup", "水管在村东头那段") in kinds
    assert ("attachment", "image:MEDIA_IMG_1") in kinds
    # The voice's original media id is kept with its message, linked to the ticket.
    stored = db.scalar(select(InboundMessage).where(InboundMessage.msg_type == "voice"))
    assert stored.ticket_id == t.id and stored.extra["MediaId"] == "MEDIA_VOICE_1"
    got = Inbox(app, db)(deputy.openid)
    assert got[1:] == [f"补充 {number}：家里做饭都没水用", f"补充 {number}：水管在村东头那段",
                       f"补充 {number}：群众发来图片", f"补充 {number}：群众发来位置上丰村东头水井（36.61,114.48）"]


def test_a_new_topic_within_the_window_is_a_new_ticket(app, ext, demo, db):
    phone = Phone(app, VOTER)
    first = number_in(phone.says("村里自来水停了三天了").text)
    ext.clock.value += 30
    second = phone.says("我家的低保停发三个月了").text
    assert second.startswith("已收到您的意见") and number_in(second) != first
    assert tickets(db) == 2


def test_after_the_window_a_new_message_opens_a_new_ticket(app, ext, demo, db):
    phone = Phone(app, VOTER)
    first = number_in(phone.says("村里自来水停了三天了").text)
    ext.clock.value += 181
    assert number_in(phone.says("村口路灯坏了一个月了").text) != first
    ext.clock.value += 600
    assert phone.image("MEDIA_IMG_2").text.startswith("已收到您发送的图片")  # no burst: asked to explain
    assert tickets(db) == 2


def test_the_window_is_configurable(make_app, demo, db):
    app = build(make_app, BURST_SECONDS=600)
    phone = Phone(app, VOTER)
    number = number_in(phone.says("村里自来水停了三天了").text)
    app.extensions["liaison"].clock.value += 500
    assert phone.says("家里做饭都没水用").text.startswith(f"已补充到 {number}")


def test_a_photo_in_a_burst_is_downloaded_by_a_task_once(make_app, fake_wechat, db):
    import os

    from bot import tasks
    from bot.services.demo import seed

    app = build(make_app, WECHAT_APP_ID="wxtestapp", WECHAT_APP_SECRET="s3cret", WECHAT_TOKEN="tok",
                WECHAT_API_BASE=fake_wechat.base, WECHAT_TIMEOUT=2.0)
    ext = app.extensions["liaison"]
    with ext.Session() as s:
        seed(s, 7)
        s.commit()
    photo = b"\xff\xd8\xff\xe0 a burst pipe"
    fake_wechat.media["MEDIA_PIPE_1"] = (photo, "image/jpeg")
    phone = Phone(app, VOTER)
    number = number_in(phone.says("村里自来水停了三天了").text)
    ext.clock.value += 30
    assert phone.image("MEDIA_PIPE_1").text == f"已补充到 {number}（图片）。"
    assert ("liaison.fetch_media", (ticket(db, number).id, "MEDIA_PIPE_1")) in ext.queue.items
    ext.queue.drain(app)
    t = ticket(db, number)
    path = os.path.join(ext.settings["INSTANCE_PATH"], "media", str(t.id), "MEDIA_PIPE_1.jpg")
    with open(path, "rb") as fh:
        assert fh.read() == photo
    assert t.events[-1].kind == "media_saved" and t.events[-1].note.endswith("MEDIA_PIPE_1.jpg")
    with app.app_context():
        assert tasks.fetch_media(ext, t.id, "MEDIA_PIPE_1") is None  # a re-run downloads nothing
    assert fake_wechat.calls["media"] == 1
