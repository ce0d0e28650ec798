"""Build requests exactly as WeChat's servers send them, and read our replies.
Used by `liaison simulate`, the console's phone simulator, the benchmark and the tests."""
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
                   nonce: str | None = None, openid: str = "sim") -> tuple[dict[str, str], bytes]:
    """(query, body) for POST /wechat. Encrypted when the gate is in safe mode,
    unless `encrypt` says otherwise."""
    nonce = nonce or secrets.token_hex(6)
    ts = str(timestamp)
    query = {"timestamp": ts, "nonce": nonce, "signature": sign(gate.token, ts, nonce),
             "openid": openid}
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


class NotDelivered(Exception):
    """The webhook could not be reached or refused the message: `status` is its
    HTTP status (0 when it was never reached)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def send_text(url: str, gate: Gate, openid: str, text: str, timestamp: int, timeout: float = 10.0) -> str | None:
    """POST `text` from `openid` to the webhook at `url` as WeChat would (signed,
    sealed in safe mode) and return the passive reply's words (None for "success")."""
    import requests

    msg_id = secrets.randbelow(2**62)
    query, body = signed_request(gate, text_xml(openid, text, msg_id, timestamp), timestamp, openid=openid)
    with requests.Session() as http:
        http.trust_env = False  # a loopback call: no proxy from the environment
        try:
            res = http.post(url, params=query, data=body, timeout=timeout, headers={"Content-Type": "text/xml"})
        except requests.RequestException as exc:
            raise NotDelivered(0, type(exc).__name__) from None
    if res.status_code != 200:
        raise NotDelivered(res.status_code, f"HTTP {res.status_code}")
    reply = read_reply(gate, res.text)
    return str(reply.get("Content") or "") if reply else None
