"""Danger is never taken for a rating, a reopen or an add-on; different matters are never merged."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.models import OutboundPush, Ticket
from bot.services import texts
from lifecycle_kit import STAFF, VOTER, deputy_of, number_in, ticket
from wechat_user import Phone

SAME_VILLAGE = "oDEMO_voter_12_04"



def resolved(app, db) -> str:
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    Phone(app, deputy.openid).says(f"受理 {number}")
    Phone(app, deputy.openid).says(f"办结 {number} 已修复通水")
    return number


def staff_alerts(db) -> list[OutboundPush]:
    db.expire_all()
    return db.scalars(select(OutboundPush).where(OutboundPush.recipient_openid == STAFF,
                                                 OutboundPush.kind == "urgent_alert")).all()


@pytest.mark.parametrize("text,days_later", [("3 楼道里煤气泄漏了，快来人", 0), ("没解决，煤气泄漏了很危险", 0),
                                             ("没解决，煤气泄漏了很危险", 8)])
def test_danger_after_a_resolved_ticket_opens_an_urgent_ticket(app, ext, demo, db, text, days_later):
    number = resolved(app, db)
    ext.clock.value += timedelta(days=days_later).total_seconds()
    answer = Phone(app, VOTER).says(text).text
    assert answer.endswith(texts.URGENT_ADVICE)
    assert ticket(db, number).status == "resolved"  # the old ticket is neither rated nor reopened
    assert len(staff_alerts(db)) == 1


def test_a_new_complaint_with_a_satisfaction_word_is_filed_not_taken_as_a_score(app, demo, db):
    number = resolved(app, db)
    answer = Phone(app, VOTER).says("低保评定不公平，我很不满意").text
    assert answer.startswith("已收到您的意见（编号 ")
    assert ticket(db, number).status == "resolved" and ticket(db, number).rating is None


def test_two_households_with_different_problems_are_not_merged(app, ext, demo, db):
    Phone(app, VOTER).says("我家门口的路灯坏了")
    ext.clock.value += 3600
    second = number_in(Phone(app, SAME_VILLAGE).says("我家门口的水沟堵了").text)
    assert ticket(db, second).status == "new" and ticket(db, second).duplicate_of_id is None


def test_personal_benefit_cases_are_never_merged(app, ext, demo, db):
    Phone(app, VOTER).says("我家低保被取消了")
    ext.clock.value += 3600
    second = number_in(Phone(app, SAME_VILLAGE).says("我家低保还没发").text)
    assert ticket(db, second).duplicate_of_id is None


def test_an_add_on_to_a_merged_report_goes_to_the_ticket_it_joined(app, ext, demo, db):
    first = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value += 3600
    neighbour = Phone(app, SAME_VILLAGE)
    second = number_in(neighbour.says("村里自来水也停了好几天了").text)
    assert ticket(db, second).status == "merged"
    ext.clock.value += 30
    assert neighbour.says("就在村口那里").text.startswith(f"已补充到 {first}")
    db.expire_all()
    assert db.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1)).number == second  # no new ticket


def test_an_urgent_report_is_never_hidden_behind_an_older_ticket(app, ext, demo, db):
    Phone(app, VOTER).says("村口的电线杆歪了好几天了")
    ext.clock.value += 3600
    second = number_in(Phone(app, SAME_VILLAGE).says("村口的电线杆歪了，电线快掉下来了很危险").text)
    t = ticket(db, second)
    assert t.urgent and t.status == "new" and t.duplicate_of_id is None
    assert len(staff_alerts(db)) == 1
