"""A matter told in several messages in a row stays one ticket: text, voice,
photos and the location extend the open ticket within the burst window."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.models import InboundMessage, Ticket
from lifecycle_kit import VOTER, Inbox, build, build_on_wechat, deputy_of, number_in, ticket
from wechat_user import Phone


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

    from bot.jobs import tasks

    app = build_on_wechat(make_app, fake_wechat)
    ext = app.extensions["liaison"]
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


# -- a new matter is never folded into the one just reported --------------------

WATER = "村里自来水停了三天了"


def test_a_pothole_a_minute_after_a_water_outage_is_its_own_ticket_with_its_own_push(app, ext, demo, db):
    phone = Phone(app, VOTER)
    deputy = deputy_of(db, VOTER)
    water = number_in(phone.says(WATER).text)
    ext.clock.value += 60
    road = phone.says("村口那段路坑坑洼洼的，晚上骑车摔了好几个人").text
    assert road.startswith("已收到您的意见（编号 ") and f"已转交 {deputy.name} 代表" in road
    assert number_in(road) != water
    assert tickets(db) == 2
    assert (ticket(db, water).category, ticket(db, number_in(road)).category) == ("城乡建设", "交通运输")
    got = Inbox(app, db)(deputy.openid)
    assert len(got) == 2
    assert got[0].startswith(f"新意见 {water} ") and got[0].endswith(f"：{WATER}")
    assert got[1].startswith(f"新意见 {number_in(road)} ") and got[1].endswith("：村口那段路坑坑洼洼的，晚上骑车摔了好几个人")


@pytest.mark.parametrize("more", ["家里做饭都没水用", "补充一下，停水是从周一开始的", "补充一下，是电压不够抽不上来"])
def test_words_that_add_to_the_water_outage_join_it(app, ext, demo, db, more):
    phone = Phone(app, VOTER)
    deputy = deputy_of(db, VOTER)
    number = number_in(phone.says(WATER).text)
    ext.clock.value += 60
    assert phone.says(more).text == f"已补充到 {number}，已转告 {deputy.name} 代表。"
    assert tickets(db) == 1
    assert Inbox(app, db)(deputy.openid)[1:] == [f"补充 {number}：{more}"]


def test_a_photo_after_the_water_outage_joins_it(app, ext, demo, db):
    phone = Phone(app, VOTER)
    number = number_in(phone.says(WATER).text)
    ext.clock.value += 60
    assert phone.image("MEDIA_IMG_WATER").text == f"已补充到 {number}（图片）。"
    assert tickets(db) == 1


def test_another_item_after_hai_you_is_another_matter(app, ext, demo, db):
    # "还有" adds an item to a list; it does not say the words belong to the
    # last matter. Street lights and rubbish are both 城乡建设, yet two matters.
    phone = Phone(app, VOTER)
    deputy = deputy_of(db, VOTER)
    lights = number_in(phone.says("路灯坏了").text)
    ext.clock.value += 60
    rubbish = phone.says("还有，垃圾也没人清运").text
    assert rubbish.startswith("已收到您的意见（编号 ") and number_in(rubbish) != lights
    assert tickets(db) == 2
    got = Inbox(app, db)(deputy.openid)
    assert [text.split("：")[-1] for text in got] == ["路灯坏了", "还有，垃圾也没人清运"]


def test_hai_you_about_the_same_matter_joins_it(app, ext, demo, db):
    phone = Phone(app, VOTER)
    number = number_in(phone.says(WATER).text)
    ext.clock.value += 60
    assert phone.says("还有，水管也漏了").text.startswith(f"已补充到 {number}")
    assert tickets(db) == 1


def test_an_unsure_message_about_another_thing_is_not_folded_in(app, ext, demo, db):
    phone = Phone(app, VOTER)
    lights = number_in(phone.says("路灯坏了").text)
    ext.clock.value += 60
    assert number_in(phone.says("村西头的水沟也堵了").text) != lights
    ext.clock.value += 60
    assert phone.says("就在村口那里").text.startswith("已补充到 ")  # a place names no other matter
    assert tickets(db) == 2


def test_a_later_chase_goes_to_the_ticket_it_is_about(app, ext, demo, db):
    phone = Phone(app, VOTER)
    lights = number_in(phone.says("村口的路灯坏了一个月了").text)
    ext.clock.value += 3600
    water = number_in(phone.says(WATER).text)
    ext.clock.value += 3600
    assert phone.says("我上次说的路灯还没人修").text.startswith(f"已补充到 {lights}")
    ext.clock.value += 3600
    assert phone.says("还有，垃圾也没人清运").text.startswith("已收到您的意见")  # about neither
    assert tickets(db) == 3 and water != lights
