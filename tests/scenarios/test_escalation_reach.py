"""上报 only counts when somebody receives it: a reachable upper deputy, the
People's Congress office, or (failing both) the station staff to forward it.
If nobody at all can receive it, the command is refused and nothing changes;
and a ticket never goes up twice from the same level."""
from __future__ import annotations

from sqlalchemy import delete, select

from bot.models import ContactLink, OutboundPush
from bot.services import texts
from lifecycle_kit import COUNTY_OFFICE, STAFF, VOTER, Inbox, build, county_contact, deputy_of, number_in, ticket
from wechat_user import Phone


def _received(db, since: int) -> list[tuple[str, str]]:
    db.expire_all()
    return [(p.recipient_openid, p.kind) for p in
            db.scalars(select(OutboundPush).where(OutboundPush.id > since).order_by(OutboundPush.id))]


def _last_push_id(db) -> int:
    return db.scalar(select(OutboundPush.id).order_by(OutboundPush.id.desc()).limit(1)) or 0


def _accepted_ticket(app, db):
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("县医院看病乱收费").text)
    Phone(app, deputy.openid).says(f"受理 {number}")
    return deputy, number


def _no_county_contact(db, deputy) -> None:
    db.execute(delete(ContactLink).where(ContactLink.to_deputy_id == deputy.id))
    db.commit()


def test_escalating_when_nobody_can_receive_it_is_refused_and_nothing_changes(make_app, demo, db):
    app = build(make_app, COUNTY_OFFICE_OPENIDS="", STAFF_OPENIDS="")
    deputy, number = _accepted_ticket(app, db)
    _no_county_contact(db, deputy)
    before = _last_push_id(db)
    answer = Phone(app, deputy.openid).says(f"上报 {number} 县医院收费问题").text
    assert answer == texts.DEPUTY_ESCALATE_NOBODY.format(number=number, body="县人大常委会")
    t = ticket(db, number)
    assert (t.status, t.escalated_to_id) == ("accepted", None)
    assert "escalated" not in [e.kind for e in t.events]
    assert _received(db, before) == []  # the voter is not told it went anywhere


def test_without_an_upper_deputy_or_office_the_staff_forward_it_once(make_app, demo, db):
    app = build(make_app, COUNTY_OFFICE_OPENIDS="")
    inbox = Inbox(app, db)
    deputy, number = _accepted_ticket(app, db)
    _no_county_contact(db, deputy)
    desk = Phone(app, deputy.openid)
    assert desk.says(f"上报 {number} 县医院收费问题").text == \
        texts.DEPUTY_ESCALATED_STAFF.format(number=number, body="县人大常委会")
    got = inbox.last(STAFF)
    assert got.startswith(f"上报 {number} [") and got.endswith("请工作人员转报。")
    assert inbox.last(VOTER) == texts.VOTER_ESCALATED_STAFF.format(number=number, body="县人大常委会")
    assert ticket(db, number).status == "escalated"
    # Not twice from the same level: the voter hears about it once.
    assert desk.says(f"上报 {number} 再报一次").text == f"{number} 目前是“已上报”，不能上报。"
    assert len([t for t in inbox(VOTER) if "上报" in t]) == 1


def test_an_unreachable_county_deputy_is_not_promised_to_the_voter(make_app, demo, db):
    app = build(make_app)
    inbox = Inbox(app, db)
    deputy = deputy_of(db, VOTER)
    county = county_contact(db, deputy)
    county.active = False  # retired; still bound to WeChat
    db.commit()
    _, number = _accepted_ticket(app, db)
    assert Phone(app, deputy.openid).says(f"上报 {number} 县医院收费问题").text == \
        texts.DEPUTY_NO_UPPER.format(number=number, body="县人大常委会")
    assert ticket(db, number).escalated_to_id is None
    assert inbox(county.openid) == [] and inbox.last(COUNTY_OFFICE).startswith(f"上报 {number} [")
    assert inbox.last(VOTER) == texts.VOTER_ESCALATED_BODY.format(number=number, body="县人大常委会")


def test_an_unbound_county_deputy_without_an_office_falls_back_to_staff(make_app, demo, db):
    app = build(make_app, COUNTY_OFFICE_OPENIDS="")
    inbox = Inbox(app, db)
    deputy = deputy_of(db, VOTER)
    county = county_contact(db, deputy)
    county.openid = None  # never bound WeChat
    db.commit()
    _, number = _accepted_ticket(app, db)
    assert Phone(app, deputy.openid).says(f"上报 {number} 县医院收费问题").text == \
        texts.DEPUTY_ESCALATED_STAFF.format(number=number, body="县人大常委会")
    assert inbox.last(STAFF).startswith(f"上报 {number} [")
    assert county.name not in inbox.last(VOTER)


def test_after_a_return_the_ticket_may_go_up_again_from_the_township(make_app, demo, db):
    from datetime import timedelta

    from bot.cli import main
    from bot.cli.context import State

    app = build(make_app)
    deputy, number = _accepted_ticket(app, db)
    county = county_contact(db, deputy)
    city = db.scalar(select(ContactLink.from_deputy_id).where(ContactLink.layer == "city_county",
                                                              ContactLink.to_deputy_id == county.id))
    Phone(app, deputy.openid).says(f"上报 {number} 县医院收费问题")
    Phone(app, county.openid).says(f"上报 {number} 涉及市级医保政策")
    city_desk = Phone(app, db.get(type(deputy), city).openid)
    city_desk.says(f"办结 {number} 已转市医保局")
    app.extensions["liaison"].clock.value += timedelta(days=1).total_seconds()
    Phone(app, VOTER).says("没解决，还是乱收费")
    Phone(app, deputy.openid).says(f"退回 {number} 请换一位代表跟进")
    done = app.test_cli_runner().invoke(main, ["tickets", "assign", number, deputy.code, "--by", "李干事"],
                                        obj=State(app=app))
    assert done.exit_code == 0, done.output
    Phone(app, deputy.openid).says(f"受理 {number}")
    assert Phone(app, deputy.openid).says(f"上报 {number} 还是县里的事").text == \
        f"{number} 已上报县人大常委会和 {county.name} 代表，已告知群众。"
    assert (ticket(db, number).level, ticket(db, number).escalated_to_id) == ("county", county.id)
