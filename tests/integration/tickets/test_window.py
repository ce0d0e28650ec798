"""WeChat's 48-hour customer-service window: pushes to someone who wrote
within 48 hours go as customer-service messages, within the window's budget;
otherwise straight to a template message, against the fake WeChat API."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.jobs import tasks
from bot.models import OutboundPush
from lifecycle_kit import VOTER, build, deputy_of, number_in
from wechat_user import Phone

HOUR = timedelta(hours=1).total_seconds()


@pytest.fixture
def wx(make_app, fake_wechat):
    def make(**extra):
        return build(make_app, WECHAT_APP_ID="wxtestapp", WECHAT_APP_SECRET="s3cret", WECHAT_TOKEN="tok0123456789abcdef",
                     WECHAT_API_BASE=fake_wechat.base, WECHAT_TIMEOUT=2.0, WECHAT_TEMPLATE_ID="TPL_PROGRESS",
                     **extra)
    return make


def deliver_all(app):
    ext = app.extensions["liaison"]
    with app.app_context():
        while ext.queue.items:
            name, args = ext.queue.items.pop(0)
            tasks.deliver(ext, *args)


def to(db, openid):
    db.expire_all()
    return db.scalars(select(OutboundPush).where(OutboundPush.recipient_openid == openid)
                      .order_by(OutboundPush.id)).all()


def seeded(app):
    from bot.services.roster.demo import seed

    with app.extensions["liaison"].Session() as s:
        seed(s, 7)
        s.commit()


def test_inside_the_window_custom_outside_template_without_trying(wx, fake_wechat, db):
    app = wx()
    seeded(app)
    ext = app.extensions["liaison"]
    deputy = deputy_of(db, VOTER)
    desk = Phone(app, deputy.openid)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value += HOUR
    desk.says(f"受理 {number}")
    deliver_all(app)
    assert [p.channel for p in to(db, VOTER)] == ["custom"]

    ext.clock.value += 48 * HOUR  # the voter has been silent for 49 hours
    desk.says(f"回复 {number} 已联系水务站，明天上午来修")
    customs = fake_wechat.calls.get("custom", 0)
    deliver_all(app)
    assert [p.channel for p in to(db, VOTER)] == ["custom", "template"]
    assert fake_wechat.calls.get("custom", 0) == customs  # no doomed customer-service attempt
    sent = fake_wechat.sent[-1]
    assert sent["kind"] == "template" and sent["touser"] == VOTER and sent["template_id"] == "TPL_PROGRESS"
    assert sent["data"]["keyword1"]["value"] == number

    Phone(app, VOTER).says("好的，谢谢")  # writing again opens a new window
    desk.says(f"办结 {number} 已修复通水")
    deliver_all(app)
    assert [p.channel for p in to(db, VOTER)] == ["custom", "template", "custom"]


def test_the_windows_budget_is_respected(wx, fake_wechat, db):
    app = wx(CS_WINDOW_BUDGET=2)
    seeded(app)
    deputy = deputy_of(db, VOTER)
    desk = Phone(app, deputy.openid)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    desk.says(f"受理 {number}")
    desk.says(f"回复 {number} 明天来修")
    desk.says(f"办结 {number} 已修复通水")
    deliver_all(app)
    assert [p.channel for p in to(db, VOTER)] == ["custom", "custom", "template"]


def test_someone_we_never_heard_from_gets_a_try_then_the_template(wx, fake_wechat, db):
    app = wx()
    seeded(app)
    deputy = deputy_of(db, VOTER)  # imported from the roster; never wrote to the account
    fake_wechat.script["custom"] = [45015]
    Phone(app, VOTER).says("村里自来水停了三天了")
    deliver_all(app)
    assert [p.channel for p in to(db, deputy.openid)] == ["template"]
    assert fake_wechat.calls["custom"] == 1


def test_a_deputy_who_wrote_recently_gets_customer_service_messages(wx, fake_wechat, db):
    app = wx()
    seeded(app)
    deputy = deputy_of(db, VOTER)
    assert Phone(app, deputy.openid).says("我的工单").text
    Phone(app, VOTER).says("村里自来水停了三天了")
    deliver_all(app)
    assert [p.channel for p in to(db, deputy.openid)] == ["custom"]


def test_when_wechat_says_the_window_is_closed_the_template_goes_and_the_window_counts_as_spent(wx, fake_wechat, db):
    app = wx()
    seeded(app)
    deputy = deputy_of(db, VOTER)
    Phone(app, deputy.openid).says("我的工单")
    fake_wechat.script["custom"] = [45047]  # this window's budget was spent elsewhere
    Phone(app, VOTER).says("村里自来水停了三天了")
    deliver_all(app)
    assert [p.channel for p in to(db, deputy.openid)] == ["template"]
    customs = fake_wechat.calls["custom"]
    app.extensions["liaison"].clock.value += 600
    Phone(app, VOTER).says("我家的低保停发三个月了")
    deliver_all(app)
    assert [p.channel for p in to(db, deputy.openid)] == ["template", "template"]
    assert fake_wechat.calls["custom"] == customs  # not tried again in this window


def test_only_what_the_user_does_opens_the_window(wx, fake_wechat, db):
    from bot.models import ContactWindow

    app = wx()
    phone = Phone(app, "oSomeone")
    phone.event("TEMPLATESENDJOBFINISH")
    phone.event("VIEW", "https://example.org")
    db.expire_all()
    assert db.get(ContactWindow, "oSomeone") is None
    phone.event("CLICK", "MENU_HELP")
    db.expire_all()
    assert db.get(ContactWindow, "oSomeone") is not None
