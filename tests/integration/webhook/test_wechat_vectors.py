"""The official and published WeChat test vectors pass through our gate."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.models import InboundMessage
from bot.wechat import Gate, WebhookError
from places import VECTORS

CRYPTO = VECTORS / "crypto"


def vector(name: str) -> dict:
    return json.loads((CRYPTO / name).read_text(encoding="utf-8"))


def gate_for(v: dict, app_id_key: str = "app_id") -> Gate:
    ts = int(v.get("timestamp") or v["request"]["query"]["timestamp"])
    return Gate(v["token"], v[app_id_key], v.get("encoding_aes_key"), clock=lambda: ts)


def test_official_compat_message_decrypts_and_parses():
    v = vector("oa_official_compat_text.json")
    body = (CRYPTO / v["request"]["body_file"]).read_bytes()
    opened = gate_for(v).open(v["request"]["query"], body)
    expected = v["expected"]["parsed"]
    assert opened.encrypted
    assert opened.plaintext == v["expected"]["plaintext"]
    msg = opened.inbound
    assert (msg.msg_type, msg.openid, msg.account, msg.content, msg.create_time, msg.msg_id) == (
        "text", expected["source"], expected["target"], expected["content"], expected["create_time"],
        str(expected["id"]))


def test_easywechat_safe_mode_message_and_its_negative_cases():
    v = vector("oa_easywechat_safe_text.json")
    body = (CRYPTO / v["request"]["body_file"]).read_bytes()
    query = v["request"]["query"]
    msg = gate_for(v).open(query, body).inbound
    assert (msg.content, msg.openid, msg.msg_id) == ("hello", "asdasdasdsadasd", "12345")

    with pytest.raises(WebhookError) as bad_sig:
        gate_for(v).open({**query, "msg_signature": "invalid-signature"}, body)
    assert bad_sig.value.status == 403
    wrong_app = Gate(v["token"], "invalid appid", v["encoding_aes_key"], clock=lambda: int(query["timestamp"]))
    with pytest.raises(WebhookError) as bad_app:
        wrong_app.open(query, body)
    assert bad_app.value.status == 400


def test_plain_signature_vector():
    v = vector("oa_plain_signature_wechatpy.json")
    gate = Gate(v["token"], "wxany", clock=lambda: int(v["timestamp"]))
    query = {"timestamp": v["timestamp"], "nonce": v["nonce"], "echostr": "hello-echo"}
    assert gate.verify_url({**query, "signature": v["valid_signature"]}) == "hello-echo"
    with pytest.raises(WebhookError) as err:
        gate.verify_url({**query, "signature": v["invalid_signature"]})
    assert err.value.status == 403


def test_deterministic_encryption_vectors_decrypt_to_their_plaintext():
    v = vector("oa_wxjava_deterministic_encrypt.json")
    gate = gate_for(v)
    for case in v["cases"]:
        assert gate._decrypt(case["expected_encrypt"]) == case["plaintext"]


def test_wecom_echostr_verification_vector():
    v = vector("wecom_official_verify_url.json")
    query = v["request"]["query"] if "request" in v else v["query_decoded"]
    gate = Gate(v["token"], v.get("corp_id") or v.get("receive_id"), v["encoding_aes_key"],
                clock=lambda: int(query["timestamp"]))
    assert gate.verify_url(query) == v["expected"]["response_body"]


def test_every_message_sample_parses_like_wechatpy_says():
    expected = json.loads((VECTORS / "messages" / "expected_parse.json").read_text(encoding="utf-8"))
    checked = 0
    for name, want in expected.items():
        if not name.startswith("oa/"):
            continue
        plaintext = (VECTORS / "messages" / name).read_text(encoding="utf-8")
        from bot.wechat.crypto import _parse_xml, _to_inbound

        msg = _to_inbound(_parse_xml(plaintext.encode()), plaintext)
        assert msg.openid == want["source"] and msg.account == want["target"], name
        if "event" in want:
            assert msg.msg_type == "event"
            assert msg.event == want["event"].replace("subscribe_scan", "subscribe"), name
        if "scene_id" in want:
            assert msg.scene == want["scene_id"], name
        if want.get("class") == "TextMessage":
            assert msg.content == want["content"]
        checked += 1
    assert checked >= 15


def test_official_vector_through_the_webhook_gets_an_encrypted_reply(make_app):
    v = vector("oa_official_compat_text.json")
    # The vector's token ("spamtest") is shorter than live mode accepts, so the
    # app starts with a long one and its gate is given the vector's.
    app = make_app(WECHAT_TOKEN="vector0123456789abcd", WECHAT_AES_KEY=v["encoding_aes_key"],
                   WECHAT_APP_ID=v["app_id"], WECHAT_APP_SECRET="s3cret")
    ext = app.extensions["liaison"]
    ext._gate = Gate(v["token"], v["app_id"], v["encoding_aes_key"], clock=ext.clock)
    query = v["request"]["query"]
    ext.clock.value = int(query["timestamp"]) + 2
    body = (CRYPTO / v["request"]["body_file"]).read_bytes()

    res = app.test_client().post("/wechat", query_string=query, data=body, content_type="text/xml")

    assert res.status_code == 200
    assert b"<Encrypt>" in res.data and b"abcdteT" not in res.data
    reply = ext.gate.decrypt_reply(res.get_data(as_text=True))
    assert "<ToUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></ToUserName>" in reply
    assert "已收到您的意见" in reply
    with ext.Session() as s:
        assert s.scalar(select(InboundMessage.content)) == "abcdteT"
