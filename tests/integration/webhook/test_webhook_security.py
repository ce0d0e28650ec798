"""Every byte from outside is hostile: the webhook refuses cleanly, stores nothing."""
from __future__ import annotations

import base64
import json
import logging
import os

import pytest
import xmltodict
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import func, select

from bot.models import InboundMessage, Ticket
from bot.wechat import Gate, render_text_reply, sign
from bot.wechat.simulator import signed_request, text_xml
from places import VECTORS
from wechat_user import Phone

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
NEGATIVE = VECTORS / "negative"


def stored(ext) -> int:
    with ext.Session() as s:
        return s.scalar(select(func.count(InboundMessage.id)))


@pytest.fixture
def safe_app(make_app):
    return make_app(WECHAT_TOKEN="safetoken0123456789", WECHAT_AES_KEY=AES_KEY, WECHAT_APP_ID="wxsafe00000000001",
                    WECHAT_APP_SECRET="s3cret")


def test_missing_or_wrong_signature_is_403_and_nothing_is_stored(app, ext):
    phone = Phone(app, "oVoter")
    query, body = signed_request(ext.gate, text_xml("oVoter", "你好", 1, phone.now()), phone.now())
    assert phone.post_raw({k: v for k, v in query.items() if k != "signature"}, body).status == 403
    assert phone.post_raw({**query, "signature": "0" * 40}, body).status == 403
    assert phone.post_raw({**query, "signature": "签名"}, body).status == 403
    assert stored(ext) == 0


@pytest.mark.parametrize("skew", [301, -301, 10**9])
def test_timestamp_outside_five_minutes_is_403(app, ext, skew):
    phone = Phone(app, "oVoter")
    stamp = phone.now() + skew
    query, body = signed_request(ext.gate, text_xml("oVoter", "你好", 1, stamp), stamp)
    assert phone.post_raw(query, body).status == 403
    assert stored(ext) == 0


def test_timestamp_within_window_is_accepted(app, ext):
    phone = Phone(app, "oVoter")
    stamp = phone.now() - 290
    query, body = signed_request(ext.gate, text_xml("oVoter", "你好", 1, stamp), stamp)
    assert phone.post_raw(query, body).status == 200


def test_body_over_64_kib_is_413(app, ext):
    phone = Phone(app, "oVoter")
    huge = text_xml("oVoter", "长" * 30000, 1, phone.now())
    query, body = signed_request(ext.gate, huge, phone.now())
    assert len(body) > 64 * 1024
    assert phone.post_raw(query, body).status == 413
    assert stored(ext) == 0


EXPECTED_PLAIN = {
    "billion_laughs.xml": 400, "quadratic_blowup.xml": 413,  # over 64 KiB: refused unread
    "xxe_file.xml": 400,
    "xxe_http_loopback.xml": 400, "external_dtd_loopback.xml": 400, "param_entity_loopback.xml": 400,
    "deep_nesting_5000.xml": 400, "duplicated_content.xml": 400, "msgtype_is_element.xml": 400,
    "missing_msgtype.xml": 400, "wrong_root.xml": 400, "not_xml.xml": 400,
    "cdata_breakout_in_content.xml": 200, "unknown_msgtype.xml": 200,
}


@pytest.mark.parametrize("name", sorted(EXPECTED_PLAIN))
def test_hostile_bodies_in_plaintext_mode(app, ext, name, caplog):
    ext.clock.value = 1348831860  # the vectors' CreateTime, so only the body is wrong
    phone = Phone(app, "fromUser")
    body = (NEGATIVE / name).read_bytes()
    query, _ = signed_request(ext.gate, "", phone.now())
    with caplog.at_level(logging.INFO):
        answer = phone.post_raw(query, body)
    assert answer.status == EXPECTED_PLAIN[name]
    assert stored(ext) == (1 if answer.status == 200 else 0)
    assert "evil" not in caplog.text and "hi" not in caplog.text.split()


def test_every_listed_negative_vector_is_covered():
    listed = set(json.loads((NEGATIVE / "expected_results.json").read_text())["current"])
    assert listed == set(EXPECTED_PLAIN)


@pytest.mark.parametrize("name", sorted(EXPECTED_PLAIN))
def test_hostile_bodies_in_safe_mode_never_500(safe_app, name):
    ext = safe_app.extensions["liaison"]
    phone = Phone(safe_app, "fromUser")
    query, _ = signed_request(ext.gate, "", phone.now(), encrypt=False)
    query.update(encrypt_type="aes", msg_signature="0" * 40)
    answer = phone.post_raw(query, (NEGATIVE / name).read_bytes())
    assert answer.status in (400, 403, 413)
    assert stored(ext) == 0


def _post_cipher(app, cipher: str) -> int:
    ext = app.extensions["liaison"]
    phone = Phone(app, "oVoter")
    ts, nonce = str(phone.now()), "n0nce"
    body = f"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{cipher}]]></Encrypt></xml>"
    query = {"timestamp": ts, "nonce": nonce, "signature": sign(ext.gate.token, ts, nonce),
             "encrypt_type": "aes", "msg_signature": sign(ext.gate.token, ts, nonce, cipher)}
    return phone.post_raw(query, body.encode()).status


def _aes(raw: bytes) -> str:
    key = base64.b64decode(AES_KEY + "=")
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(raw) + enc.finalize()).decode()


def test_bad_base64_padding_or_length_is_400(safe_app):
    assert _post_cipher(safe_app, "not*base64!!") == 400
    assert _post_cipher(safe_app, base64.b64encode(b"x" * 15).decode()) == 400  # not a block multiple
    assert _post_cipher(safe_app, _aes(os.urandom(31) + b"\x00")) == 400  # padding byte 0
    assert _post_cipher(safe_app, _aes(b"\xff" * 32)) == 400  # length field past the end
    assert stored(safe_app.extensions["liaison"]) == 0


def test_message_for_another_app_id_is_400(safe_app):
    ext = safe_app.extensions["liaison"]
    other = Gate("safetoken0123456789", "wxsomeoneelse000001", AES_KEY)
    phone = Phone(safe_app, "oVoter")
    query, body = signed_request(other, text_xml("oVoter", "你好", 5, phone.now()), phone.now())
    assert phone.post_raw(query, body).status == 400
    assert stored(ext) == 0


def test_safe_mode_refuses_plaintext_messages(safe_app):
    phone = Phone(safe_app, "oVoter")
    assert phone.post_xml(text_xml("oVoter", "你好", 5, phone.now()), encrypt=False).status == 403


def test_safe_mode_round_trip_is_encrypted_both_ways(safe_app):
    answer = Phone(safe_app, "oVoter").says("路灯坏了")
    assert answer.status == 200 and "<Encrypt>" in answer.body and "路灯" not in answer.body
    assert answer.text.startswith("已收到您的意见")


def test_url_verification_plaintext_and_safe_mode(app, safe_app):
    for a in (app, safe_app):
        ext = a.extensions["liaison"]
        ts, nonce = str(int(ext.clock())), "abc"
        query = {"timestamp": ts, "nonce": nonce, "echostr": "12345echo", "signature": sign(ext.gate.token, ts, nonce)}
        res = a.test_client().get("/wechat", query_string=query)
        assert (res.status_code, res.data) == (200, b"12345echo")
        res = a.test_client().get("/wechat", query_string={**query, "signature": "1" * 40})
        assert res.status_code == 403
        res = a.test_client().get("/wechat", query_string={**query, "timestamp": str(int(ts) - 1000)})
        assert res.status_code == 403


def test_reply_text_cannot_break_out_of_cdata():
    xml = render_text_reply("oA", "gh", "x]]><FromUserName>evil</FromUserName>\x01", 1)
    doc = xmltodict.parse(xml)["xml"]
    assert doc["FromUserName"] == "gh"
    assert doc["Content"] == "x]]><FromUserName>evil</FromUserName>"


def test_breakout_attempt_becomes_a_plain_ticket(app, ext, db):
    ext.clock.value = 1348831860
    phone = Phone(app, "fromUser")
    query, _ = signed_request(ext.gate, "", phone.now())
    answer = phone.post_raw(query, (NEGATIVE / "cdata_breakout_in_content.xml").read_bytes())
    assert answer.status == 200 and answer.fields["ToUserName"] == "fromUser"
    assert db.scalar(select(Ticket.text)).startswith("x]]><FromUserName>evil</FromUserName>")
