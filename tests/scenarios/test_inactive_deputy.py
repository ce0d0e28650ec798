"""A deputy who is not active (retired, or not yet enabled) still writes from
the WeChat they bound. A command word from them is refused on the deputy's
side; it never becomes a voter's opinion ticket."""
from __future__ import annotations

from sqlalchemy import func, select

from bot.models import Ticket
from bot.services import texts
from lifecycle_kit import VOTER, build, deputy_of, number_in, ticket
from wechat_user import Phone


def _count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count(Ticket.id)))


def test_a_retired_deputys_command_is_refused_not_filed_as_an_opinion(make_app, demo, db):
    app = build(make_app)
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    deputy.active = False
    db.commit()
    before = _count(db)
    for command in (f"办结 {number} 已修复通水", f"受理 {number}", "回复 12 好的", "退回"):
        assert Phone(app, deputy.openid).says(command).text == texts.DEPUTY_NOT_ACTIVE
    assert _count(db) == before
    assert ticket(db, number).status == "new"


def test_a_retired_deputy_may_still_speak_as_a_voter(make_app, demo, db):
    app = build(make_app)
    deputy = deputy_of(db, VOTER)
    deputy.active = False
    db.commit()
    before = _count(db)
    assert "编号" in Phone(app, deputy.openid).says("村口路灯坏了好几天了").text
    assert _count(db) == before + 1
