"""Build requests exactly as WeChat's servers send them, and read our replies.
Used by `liaison simulate`, the benchmark and the tests."""
from __future__ import annotations

import secrets
from typing import Any

import xmltodict

from .crypto import Gate, _cdata, sign


def text_xml(openid: str, text: str, msg_id: int, create_time: int, account: str = "gh_liaison") -> str:
    return (f"<xml><ToUserName>{_cdata(account)}</ToUserName><FromUserName>{_cdata(openid)}</FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{_cdata(text)}</Content><MsgId>{msg_id}</MsgId></xml>")


def event_xml(openid: str, event: str, create_time: int, event_key: str | None = None,
              account: str = "gh_liaison") -> str:
    key = f"<EventKey>{_cdata(event_key)}</EventKey>" if event_key is not None else ""
    return (f"<xml><ToUserName>{_cdata(account)}</ToUserName><FromUserName>{_cdata(openid)}</FromUserName>"
            f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event>{_cdata(event)}</Event>{key}</xml>")


def signed_request(gate: Gate, plaintext: str, timestamp: int, encrypt: bool | None = None,
                   nonce: str | None = None) -> tuple[dict[str, str], bytes]:
    """(query, body) for POST /wechat. Encrypted when the gate is in safe mode,
    unless `encrypt` says otherwise."""
    nonce = nonce or secrets.token_hex(6)
    ts = str(timestamp)
    query = {"timestamp": ts, "nonce": nonce, "signature": sign(gate.token, ts, nonce),
             "openid": "sim"}
    if encrypt if encrypt is not None else gate.safe_mode:
        body, msg_signature = gate.encrypt_for_test(plaintext, nonce, ts)
        query.update(encrypt_type="aes", msg_signature=msg_signature)
        return query, body.encode("utf-8")
    return query, plaintext.encode("utf-8")


def read_reply(gate: Gate, body: str) -> dict[str, Any] | None:
    """The fields of a passive reply (decrypted if sealed); None for 'success'."""
    if not body or body == "success":
        return None
    doc: dict[str, Any] = xmltodict.parse(body, disable_entities=True)["xml"]
    if "Encrypt" in doc:
        doc = xmltodict.parse(gate.decrypt_reply(body), disable_entities=True)["xml"]
    return dict(doc)
