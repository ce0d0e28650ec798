"""SLA messages reach somebody who can act: the staff when the deputy cannot
be reached, the deputy and office a ticket was escalated to, and only once
even when the beat job and `liaison tickets sla` run at the same time."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from bot.services import texts
from bot.services.station import Station
from bot.services.tickets import sla as sla_service
from lifecycle_kit import CITY_OFFICE, STAFF, VOTER, city_contact, county_contact, deputy_of, number_in, sla, ticket
from wechat_user import Phone


def test_an_unreachable_deputys_reminder_goes_to_the_staff(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    deputy.subscribed = False  # unfollowed after the ticket was assigned
    db.commit()
    assert sla(app, "2026-11-30")["reminded"] == [number]
    assert not any(t.startswith("提醒") for t in inbox(deputy.openid))
    got = inbox.last(STAFF)
    assert got.startswith(f"提醒：{number} [") and f"{deputy.name} 代表在微信上联系不上" in got
    event = ticket(db, number).events[-1]
    assert event.kind == "sla_reminded" and "工作人员" in event.note
    assert sla(app, "2026-12-01")["reminded"] == []


def test_an_escalated_ticket_past_its_sla_chases_the_deputy_and_office_it_went_to(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    county = county_contact(db, deputy)
    city = city_contact(db, county)
    number = number_in(Phone(app, VOTER).says("县医院看病乱收费").text)
    Phone(app, deputy.openid).says(f"受理 {number}")
    Phone(app, deputy.openid).says(f"上报 {number} 县医院收费问题")
    Phone(app, county.openid).says(f"上报 {number} 涉及市级医保政策")
    before = {o: len(inbox(o)) for o in (county.openid, city.openid, CITY_OFFICE, STAFF)}
    assert sla(app, "2026-12-17")["breached"] == [number]
    expected = texts.SLA_BREACH_ESCALATED.format(number=number, category=ticket(db, number).category,
                                                 village="上丰村", deputy=deputy.name, body="市人大常委会",
                                                 upper=f"、{city.name} 代表", days=15, status="已上报")
    for openid in (city.openid, CITY_OFFICE, STAFF):
        assert inbox.last(openid) == expected
    assert len(inbox(county.openid)) == before[county.openid]  # not the township deputy's county contact


def test_two_runs_at_once_do_not_both_remind(app, ext, demo, db):
    if ext.engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite serializes writers anyway")
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    station = Station.from_settings(ext.settings)
    now = datetime(2026, 11, 30, 2, 0, tzinfo=timezone.utc)
    with ext.Session() as beat, ext.Session() as by_hand:
        first = sla_service.run(beat, date(2026, 11, 30), now, station)
        second = sla_service.run(by_hand, date(2026, 11, 30), now, station)  # while the beat run holds its rows
        beat.commit()
        by_hand.commit()
    assert (first.reminded, second.reminded) == ([number], [])
    assert [e.kind for e in ticket(db, number).events].count("sla_reminded") == 1
