"""Floods: one voter sending as fast as they can, twenty "着火了" in a row.
Every message is kept; no one is flooded; danger always gets an answer."""
from __future__ import annotations

from sqlalchemy import func, select

from bot.models import InboundMessage, OutboundPush, Ticket
from bot.services import texts
from lifecycle_kit import STAFF, VOTER, Inbox, build, deputy_of, number_in
from wechat_user import Phone

OPINIONS = ["村里自来水停了三天了", "村口路灯坏了一个月了", "我家的低保停发三个月了", "村东头的路坑坑洼洼没法走",
            "垃圾好几天没人清运了", "小学门口没有红绿灯很危险", "村里的卫生室没有医生", "麦田里的水渠堵了浇不上地"]


def count(db, what, *where) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(what).where(*where))


def test_sixty_messages_in_a_minute_are_all_kept_but_only_ten_are_handled(app, ext, demo, db):
    phone = Phone(app, VOTER)
    replies = []
    for n in range(60):
        replies.append(phone.says(f"{OPINIONS[n % len(OPINIONS)]}（第{n + 1}次）").text)
        ext.clock.value += 1
    assert count(db, InboundMessage) == 60  # every message stored
    assert count(db, InboundMessage, InboundMessage.throttled.is_(True)) == 50  # and marked for staff
    assert count(db, Ticket) <= 10
    assert all(r and not r.startswith("您发送得太快了") for r in replies[:10])
    assert replies[10:].count(texts.TOO_FAST) == 1 and replies[10] == texts.TOO_FAST
    assert replies[11:] == [None] * 49  # WeChat shows nothing
    held_back = db.scalars(select(InboundMessage).where(InboundMessage.throttled.is_(True))).all()
    assert all(m.ticket_id is None for m in held_back)
    pushes = count(db, OutboundPush)
    # A minute later the voter is heard again.
    ext.clock.value += 60
    assert phone.says("村里的卫生室下午没人").text.startswith(("已收到您的意见", "已补充到"))
    assert count(db, OutboundPush) > pushes


def test_a_deputy_has_a_higher_limit_than_a_voter(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    phone = Phone(app, deputy.openid)
    answers = [phone.says("我的工单").text for _ in range(60)]
    assert texts.TOO_FAST not in answers and None not in answers
    assert phone.says("我的工单").text == texts.TOO_FAST  # the 61st in a minute
    assert count(db, InboundMessage, InboundMessage.throttled.is_(True)) == 1


def test_events_are_not_counted(app, ext, demo, db):
    phone = Phone(app, VOTER)
    for _ in range(12):
        phone.event("CLICK", "MENU_HELP")
        ext.clock.value += 1
    assert phone.says("村里自来水停了三天了").text.startswith("已收到您的意见")


def test_with_redis_down_voters_are_not_blocked(app, ext, demo, db, monkeypatch):
    from bot.web import flood

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(flood, "count", down)
    warnings = Recorder()
    monkeypatch.setattr(flood, "log", warnings)
    phone = Phone(app, VOTER)
    for n in range(12):
        assert phone.says(OPINIONS[n % len(OPINIONS)]).text != texts.TOO_FAST
    assert count(db, InboundMessage, InboundMessage.throttled.is_(True)) == 0
    assert warnings.lines == ["flood limit unavailable: ConnectionError"] * 12


def test_the_limit_is_configurable(make_app, demo, db):
    app = build(make_app, VOTER_RATE_LIMIT=2)
    phone = Phone(app, VOTER)
    phone.says(OPINIONS[0])
    phone.says(OPINIONS[1])
    assert phone.says(OPINIONS[2]).text == texts.TOO_FAST


def test_twenty_fire_reports_in_twenty_seconds_alert_the_staff_once(app, ext, demo, db):
    phone = Phone(app, VOTER)
    replies = []
    for _ in range(20):
        replies.append(phone.says("着火了").text)
        ext.clock.value += 1
    assert count(db, OutboundPush, OutboundPush.kind == "urgent_alert", OutboundPush.recipient_openid == STAFF) == 1
    assert count(db, Ticket) == 1
    assert all(r.endswith(texts.URGENT_ADVICE) for r in replies)  # the safety advice, every time
    number = number_in(replies[0])
    assert all(r.startswith(f"已补充到紧急意见 {number}") for r in replies[1:10])
    assert replies[10] == texts.TOO_FAST + texts.URGENT_ADVICE and set(replies[11:]) == {texts.URGENT_ADVICE}
    # The deputy heard of it once: the same words again are kept, not pushed.
    deputy = deputy_of(db, VOTER)
    assert len(Inbox(app, db)(deputy.openid)) == 1


def test_danger_reported_after_a_flood_of_messages_still_alerts_the_staff(app, ext, demo, db):
    phone = Phone(app, VOTER)
    for n in range(12):
        phone.says(OPINIONS[n % len(OPINIONS)])
    answer = phone.says("家里煤气泄漏了，快来人").text
    assert answer.startswith("已收到您的意见") and answer.endswith(texts.URGENT_ADVICE)
    assert len(Inbox(app, db)(STAFF)) == 1
    assert phone.says("煤气泄漏了").text == texts.URGENT_ADVICE  # still over the limit, staff know: advice only
    assert len(Inbox(app, db)(STAFF)) == 1


def test_a_new_detail_of_the_emergency_reaches_the_deputy_but_not_the_staff_again(app, ext, demo, db):
    phone = Phone(app, VOTER)
    number = number_in(phone.says("着火了").text)
    ext.clock.value += 30
    assert phone.says("着火了，有老人被困在屋里").text.startswith(f"已补充到紧急意见 {number}")
    deputy = deputy_of(db, VOTER)
    assert Inbox(app, db)(deputy.openid)[-1] == f"补充 {number}：着火了，有老人被困在屋里"
    assert len(Inbox(app, db)(STAFF)) == 1


def test_after_the_alert_window_a_new_report_alerts_the_staff_again(app, ext, demo, db):
    phone = Phone(app, VOTER)
    first = number_in(phone.says("着火了").text)
    ext.clock.value += 601
    second = phone.says("着火了").text
    assert number_in(second) != first and second.endswith(texts.URGENT_ADVICE)
    assert len(Inbox(app, db)(STAFF)) == 2


class Recorder:
    """Stands in for a module's logger: keeps what it was told."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def warning(self, fmt: str, *args) -> None:
        self.lines.append(fmt % args)
