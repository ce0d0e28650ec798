"""When things go wrong mid-delivery, no message is lost and no answer is a 500 by accident."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot import dedupe
from bot.models import InboundMessage, Ticket, Voter
from bot.wechat.simulator import signed_request, text_xml
from places import VECTORS
from wechat_user import Phone


def tickets(ext) -> int:
    with ext.Session() as s:
        return s.scalar(select(func.count(Ticket.id)))


def test_a_delivery_claimed_by_a_process_that_died_is_handled_on_retry(app, ext):
    phone = Phone(app, "oVoterA")
    key = "oVoterA:5550001"
    assert dedupe.first_seen(ext.redis, key, 3600)  # claimed, then the process was killed
    answer = phone.says("路灯坏了", msg_id=5550001)
    assert answer.text.startswith("已收到您的意见")
    assert tickets(ext) == 1


def test_a_conflict_on_another_constraint_is_an_error_not_a_repeat(make_app, monkeypatch, caplog):
    app = make_app(TESTING=False)
    ext = app.extensions["liaison"]
    from bot.web import webhook

    def clash(ctx, msg):  # a second voter row with the same openid, as a racing request would make
        ctx.session.add(Voter(openid=msg.openid))
        ctx.session.add(Voter(openid=msg.openid))
        ctx.session.flush()

    monkeypatch.setattr(webhook.router, "dispatch", clash)
    with caplog.at_level(logging.ERROR):
        answer = Phone(app, "oVoterB").says("秘密内容SECRET-TEXT", msg_id=5550002)
    assert answer.status == 500
    assert not ext.redis.exists(dedupe.PREFIX + "oVoterB:5550002")  # WeChat's retry will be handled
    with ext.Session() as s:
        assert s.scalar(select(func.count(InboundMessage.id))) == 0
    assert "SECRET-TEXT" not in caplog.text  # SQL errors carry no parameters


def test_sql_errors_hide_their_parameters(ext):
    with ext.Session() as s:
        s.add_all([Voter(openid="oDup", name="张秘密"), Voter(openid="oDup", name="张秘密")])
        with pytest.raises(IntegrityError) as err:
            s.flush()
    # PostgreSQL may name the conflicting key itself; nothing else is shown.
    assert "张秘密" not in str(err.value)


@pytest.mark.parametrize("stamp", ["²", "１２３", "12" * 10, "-5", ""])
def test_odd_timestamps_are_refused_not_crashed(app, stamp):
    phone = Phone(app, "oVoter")
    query, body = signed_request(app.extensions["liaison"].gate, text_xml("oVoter", "hi", 1, phone.now()),
                                 phone.now())
    assert phone.post_raw({**query, "timestamp": stamp}, body).status == 403
    assert app.test_client().get("/wechat", query_string={**query, "timestamp": stamp,
                                                          "echostr": "x"}).status_code == 403


@pytest.mark.parametrize("field,value", [
    ("CreateTime", "²"), ("CreateTime", "9" * 5000), ("MsgId", "1" * 80), ("MsgId", "12a"),
    ("FromUserName", "o" * 300),
])
def test_odd_or_oversized_fields_are_400(app, field, value):
    phone = Phone(app, "oVoter")
    fields = {"ToUserName": "gh", "FromUserName": "oVoter", "CreateTime": str(phone.now()), "MsgType": "text",
              "Content": "hi", "MsgId": "1"}
    fields[field] = value
    xml = "<xml>" + "".join(f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()) + "</xml>"
    assert phone.post_xml(xml).status == 400


def test_oversized_event_key_is_400(app):
    phone = Phone(app, "oVoter")
    assert phone.event("SCAN", "group:" + "G" * 300).status == 400


def test_a_logged_query_string_cannot_carry_a_forged_body(app, ext):
    phone = Phone(app, "oVoter")
    now = phone.now()
    query, body = signed_request(ext.gate, text_xml("oVoter", "村里的路灯坏了", 1, now), now)
    assert phone.post_raw(query, body).status == 200
    assert phone.post_raw(query, body).status == 200  # WeChat's retry: same query, same body
    forged = text_xml("oDEMO_deputy_001", "伪造", 2, now).encode()
    assert phone.post_raw(query, forged).status == 403
    assert tickets(ext) == 1


NEGATIVE = VECTORS / "negative"
ENCRYPTED_EXPECTED = {
    "billion_laughs.xml": 400, "quadratic_blowup.xml": 413, "xxe_file.xml": 400, "xxe_http_loopback.xml": 400,
    "external_dtd_loopback.xml": 400, "param_entity_loopback.xml": 400, "deep_nesting_5000.xml": 400,
    "duplicated_content.xml": 400, "msgtype_is_element.xml": 400, "missing_msgtype.xml": 400,
    "wrong_root.xml": 400, "not_xml.xml": 400, "cdata_breakout_in_content.xml": 200,
    "unknown_msgtype.xml": 200,
}


@pytest.mark.parametrize("name", sorted(ENCRYPTED_EXPECTED))
def test_hostile_plaintext_inside_a_correctly_signed_encrypted_message(make_app, name):
    app = make_app(WECHAT_APP_ID="wxsafe00000000001", WECHAT_APP_SECRET="s3cret",
                   WECHAT_TOKEN="safetoken0123456789", WECHAT_AES_KEY="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
    ext = app.extensions["liaison"]
    ext.clock.value = 1348831860
    phone = Phone(app, "fromUser")
    plaintext = (NEGATIVE / name).read_text(encoding="utf-8", errors="replace")
    assert phone.post_xml(plaintext).status == ENCRYPTED_EXPECTED[name]
