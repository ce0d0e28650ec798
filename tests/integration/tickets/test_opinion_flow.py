"""A voter's message becomes exactly one ticket for the linked deputy."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from bot.models import InboundMessage, OutboundPush, Ticket, TicketEvent, Voter
from wechat_user import Phone

VOTER = "oDEMO_voter_01_01"


def test_voter_message_reaches_their_group_deputy(app, ext, demo, db):
    voter = db.scalar(select(Voter).where(Voter.openid == VOTER))
    deputy = voter.group.deputy

    answer = Phone(app, VOTER).says("村里自来水停了三天了")

    assert answer.status == 200
    assert re.fullmatch(rf"已收到您的意见（编号 \d{{4}}-000001），已转交 {deputy.name} 代表。", answer.text)
    ticket = db.scalar(select(Ticket))
    assert (ticket.category, ticket.status, ticket.deputy_id) == ("城乡建设", "new", deputy.id)
    assert ticket.text == "村里自来水停了三天了"
    assert [e.kind for e in db.scalars(select(TicketEvent).order_by(TicketEvent.id))] == ["created", "assigned"]

    # The push waits for the worker: the request only queued it.
    push = db.scalar(select(OutboundPush))
    assert push.status == "pending" and push.recipient_openid == deputy.openid
    assert ext.queue.items == [("liaison.deliver_push", (push.id,))]

    ext.queue.drain(app)
    db.expire_all()
    push = db.get(OutboundPush, push.id)
    assert push.status == "sent" and push.channel == "sandbox"
    text = push.payload["text"]
    assert ticket.number in text and "[城乡建设]" in text and voter.village.name in text
    assert text.endswith("：村里自来水停了三天了")
    assert f"{voter.name[0]}某" in text and voter.name not in text  # the voter's full name stays private


def test_ticket_numbers_count_up_within_the_year(app, demo, db):
    phone = Phone(app, VOTER)
    numbers = [re.search(r"编号 (\S+)）", phone.says(f"第{i}条意见：路灯坏了").text).group(1) for i in range(3)]
    year = numbers[0][:4]
    assert numbers == [f"{year}-000001", f"{year}-000002", f"{year}-000003"]


def test_stranger_message_goes_to_staff_triage(app, db):
    answer = Phone(app, "oStranger000000000000000001").says("我家的低保停发三个月了，也没人说为什么")

    assert "联络站工作人员会尽快安排代表处理" in answer.text
    ticket = db.scalar(select(Ticket))
    assert ticket.deputy_id is None and ticket.needs_triage
    assert ticket.category == "民政"
    assert db.scalar(select(func.count(OutboundPush.id))) == 0


def test_inbound_message_is_stored_with_its_reply(app, demo, db):
    answer = Phone(app, VOTER).says("路灯不亮了", msg_id=424242)
    row = db.scalar(select(InboundMessage))
    assert row.dedupe_key == f"{VOTER}:424242"
    assert row.reply == answer.text and row.ticket_id is not None


def test_empty_text_asks_again_without_a_ticket(app, db):
    answer = Phone(app, "oSomeone").says("   ")
    assert "内容是空的" in answer.text
    assert db.scalar(select(func.count(Ticket.id))) == 0
