"""A voter who unfollows the account keeps their history, and is sent nothing more."""
from __future__ import annotations

from sqlalchemy import select

from bot.models import InboundMessage, OutboundPush, Ticket, Voter
from lifecycle_kit import VOTER, deputy_of, number_in
from wechat_user import Phone


def test_pushes_waiting_for_a_voter_who_left_are_not_sent(app, ext, demo, db):
    voter = Phone(app, VOTER)
    number = number_in(voter.says("村里自来水停了三天了").text)
    Phone(app, deputy_of(db, VOTER).openid).says(f"受理 {number}")  # queues "已受理" for the voter
    assert voter.event("unsubscribe").body == "success"
    ext.queue.drain(app)
    db.expire_all()
    told = db.scalars(select(OutboundPush).where(OutboundPush.recipient_openid == VOTER)).all()
    assert [(p.status, p.sent_at) for p in told] == [("failed", None)]
    # History stays: the voter, their ticket and their message.
    me = db.scalar(select(Voter).where(Voter.openid == VOTER))
    assert me.subscribed is False and me.name
    assert db.scalar(select(Ticket.text).where(Ticket.number == number)) == "村里自来水停了三天了"
    assert db.scalar(select(InboundMessage.content).where(InboundMessage.openid == VOTER,
                                                          InboundMessage.msg_type == "text"))
