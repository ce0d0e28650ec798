"""Openids are personal data: a voter's whole ticket, pushes and a refused
request leave no openid in any log line, at any level; logs name a person by a
short keyed pseudonym instead (bot/logid.py)."""
from __future__ import annotations

import logging

from bot.logid import log_id
from bot.wechat.simulator import signed_request, text_xml
from lifecycle_kit import STAFF, VOTER, deputy_of, number_in
from wechat_user import Phone


def test_a_whole_ticket_logs_no_openid_at_any_level(app, ext, demo, db, inbox, caplog):
    deputy = deputy_of(db, VOTER)
    people = (VOTER, deputy.openid, STAFF)
    with caplog.at_level(logging.DEBUG):
        voter, desk = Phone(app, VOTER), Phone(app, deputy.openid)
        number = number_in(voter.says("村里自来水停了三天了").text)
        assert inbox.last(deputy.openid)  # the sandbox notifier "sent" it
        desk.says(f"受理 {number}")
        desk.says(f"回复 {number} 已联系水务站")
        desk.says(f"办结 {number} 已修复通水")
        voter.says("5")
        Phone(app, STAFF).says("救命，有人落水了")  # urgent: staff are told
        assert inbox.last(VOTER)
        now = voter.now()
        query, body = signed_request(ext.gate, text_xml(VOTER, "你好", 9, now), now)
        assert voter.post_raw({**query, "signature": "0" * 40, "openid": VOTER}, body).status == 403

    lines = [record.getMessage() for record in caplog.records]
    assert any("sandbox push recorded" in line for line in lines)
    for openid in people:
        leaked = [line for line in lines if openid in line]
        assert not leaked, leaked
    pseudonym = log_id(ext.settings["KEYRING"], VOTER)
    assert len(pseudonym) == 10 and any(pseudonym in line for line in lines)


def test_the_pseudonym_is_keyed_and_stable():
    from bot.keys import KeyRing

    one, other = KeyRing("a" * 32), KeyRing("b" * 32)
    assert log_id(one, VOTER) == log_id(one, VOTER) != log_id(other, VOTER)
    assert log_id(one, VOTER) != log_id(one, STAFF)
    assert all(c in "0123456789abcdef" for c in log_id(one, VOTER))
