"""WeChat reports a user's position every few minutes once they allowed it
(the LOCATION event): that track is never stored. A location the voter sent on
purpose, for their ticket, keeps its coordinates."""
from __future__ import annotations

from sqlalchemy import select

from bot.models import InboundMessage
from wechat_user import Phone

VOTER = "oVOTER_location_0001"


def _stored(db, **where) -> InboundMessage:
    db.expire_all()
    return db.scalar(select(InboundMessage).filter_by(openid=VOTER, **where))


def test_the_periodic_location_event_is_stored_without_coordinates(app, db):
    phone = Phone(app, VOTER)
    xml = (f"<xml><ToUserName><![CDATA[gh_liaison]]></ToUserName><FromUserName><![CDATA[{VOTER}]]></FromUserName>"
           f"<CreateTime>{phone.now()}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
           "<Event><![CDATA[LOCATION]]></Event><Latitude>23.137466</Latitude><Longitude>113.352425</Longitude>"
           "<Precision>119.385040</Precision></xml>")
    assert phone.post_xml(xml).status == 200
    row = _stored(db, event="location")
    assert row is not None
    assert not {"Latitude", "Longitude", "Precision"} & set(row.extra)
    assert "23.13" not in str(row.extra) and "113.35" not in str(row.extra)


def test_a_location_the_voter_sends_keeps_its_coordinates(app, db):
    Phone(app, VOTER).location("36.61", "114.48", "上丰村东头水井")
    row = _stored(db, msg_type="location")
    kept = (row.extra["Location_X"], row.extra["Location_Y"], row.extra["Label"])
    assert kept == ("36.61", "114.48", "上丰村东头水井")
