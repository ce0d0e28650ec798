"""The console's phone simulator without a browser: it exists only in sandbox
mode and only for staff; what it sends goes through this server's real
/wechat over HTTP, signed (and sealed in safe mode) as WeChat would send it;
the pushes the worker sends come back through the feed; bad input is refused in
Chinese."""
from __future__ import annotations

import re

import requests
from flask import Flask, request
from sqlalchemy import select

from bot.models import AuditEvent, InboundMessage, Ticket
from bot.wechat import Gate, render_text_reply
from bot.wechat.crypto import WebhookError
from bot.wechat.simulator import NotDelivered, send_text
from console_kit import PASSWORD, add_user, csrf_token, log_in

SAFE_MODE = {"WECHAT_APP_ID": "wxsafe00000000001", "WECHAT_APP_SECRET": "s3cret", "WECHAT_TOKEN": "safetoken0123456789",
             "WECHAT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}
VOTER, VOTER_OPENID = "M0101", "oDEMO_voter_01_01"
OPINION = "村口的路灯坏了三个月了，晚上出门看不见路"


def _token(client, path="/console/simulator") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'data-csrf="([^"]+)"', page).group(1)


def _send(client, token, side="voter", code=VOTER, text=OPINION, **kw):
    return client.post("/console/simulator/send", data={"side": side, "code": code, "text": text},
                       headers={"X-CSRFToken": token}, **kw)


def test_in_live_mode_the_simulator_does_not_exist_for_anyone(make_app):
    app = make_app(**SAFE_MODE)
    add_user(app, "boss", "admin")
    stranger = app.test_client()
    assert stranger.get("/console/simulator").status_code == 404  # not even a redirect to the login page
    assert stranger.get("/console/simulator/feed").status_code == 404
    admin = log_in(app, "boss")
    page = admin.get("/console/simulator")
    assert page.status_code == 404 and "没有找到" in page.get_data(as_text=True)
    assert admin.post("/console/simulator/send", data={"csrf_token": csrf_token(admin, "/console/")}).status_code == 404
    assert "手机模拟器" not in admin.get("/console/").get_data(as_text=True)


def test_in_the_sandbox_only_logged_in_staff_may_use_it(app, demo):
    stranger = app.test_client()
    res = stranger.get("/console/simulator")
    assert res.status_code == 302 and "/console/login" in res.headers["Location"]
    assert stranger.get("/console/simulator/feed?voter=M0101").status_code == 302
    token = csrf_token(stranger)
    res = stranger.post("/console/simulator/send", data={"side": "voter", "code": VOTER, "text": OPINION,
                                                         "csrf_token": token})
    assert res.status_code == 302 and "/console/login" in res.headers["Location"]
    add_user(app, "county1", "county")
    county = log_in(app, "county1")
    res = county.get("/console/simulator")
    assert res.status_code == 403 and "没有权限" in res.get_data(as_text=True)
    assert "手机模拟器" not in county.get("/console/").get_data(as_text=True)
    add_user(app, "clerk", "staff")
    clerk = log_in(app, "clerk")
    assert "手机模拟器" in clerk.get("/console/").get_data(as_text=True)
    page = clerk.get("/console/simulator").get_data(as_text=True)
    # The default pair: the first voter of the roster and the deputy of their group.
    assert 'id="phone-voter" data-side="voter" data-code="M0101"' in page
    assert 'id="phone-deputy" data-side="deputy" data-code="D011"' in page
    with app.extensions["liaison"].Session() as s:
        assert not s.scalars(select(Ticket)).all()  # opening the page sends nothing


def test_bad_input_is_refused_in_chinese_and_sends_nothing(app, demo):
    add_user(app, "clerk", "staff")
    clerk = log_in(app, "clerk")
    token = _token(clerk)
    cases = [({"text": "   "}, "请输入要发送的文字"), ({"text": "修" * 501}, "最多 500 个字"),
             ({"code": "M9999"}, "选择名册里的选民"), ({"side": "county", "code": "D011"}, "选择名册里的选民"),
             ({"side": "deputy", "code": VOTER}, "选择名册里的选民")]
    for fields, words in cases:
        res = _send(clerk, token, **fields)
        assert res.status_code == 400 and words in res.get_json()["error"], (fields, res.get_json())
    res = clerk.post("/console/simulator/send", data={"side": "voter", "code": VOTER, "text": OPINION})
    assert res.status_code == 400  # no CSRF token
    with app.extensions["liaison"].Session() as s:
        assert not s.scalars(select(InboundMessage)).all()


def test_an_unreachable_webhook_is_said_in_chinese(app, demo):
    add_user(app, "clerk", "staff")
    clerk = log_in(app, "clerk")
    # The console posts to the port the request came in on: here one nothing listens on.
    res = _send(clerk, _token(clerk), base_url="http://localhost:9")
    assert res.status_code == 502 and "连不上本机的 /wechat" in res.get_json()["error"]


def _session(url: str, name: str) -> tuple[requests.Session, str]:
    http = requests.Session()
    http.trust_env = False
    login = http.get(f"{url}/console/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    res = http.post(f"{url}/console/login", data={"username": name, "password": PASSWORD, "csrf_token": token})
    assert res.ok and "/console/login" not in res.url
    page = http.get(f"{url}/console/simulator").text
    return http, re.search(r'data-csrf="([^"]+)"', page).group(1)


def test_a_message_goes_through_the_real_webhook_and_its_push_comes_back(app, demo, live):
    server = live(app)
    add_user(app, "clerk", "staff")
    http, token = _session(server.url, "clerk")
    page = http.get(f"{server.url}/console/simulator").text
    cursor = {k: re.search(rf'data-{k}="(\d+)"', page).group(1) for k in ("push", "delivery")}
    res = http.post(f"{server.url}/console/simulator/send", headers={"X-CSRFToken": token},
                    data={"side": "voter", "code": VOTER, "text": OPINION})
    assert res.status_code == 200, res.text
    reply = res.json()["reply"]
    assert reply.startswith("已收到您的意见") and "编号" in reply
    ext = app.extensions["liaison"]
    with ext.Session() as s:
        [inbound] = s.scalars(select(InboundMessage)).all()  # stored by the webhook, as from WeChat
        assert inbound.openid == VOTER_OPENID and inbound.reply == reply
        ticket = s.scalars(select(Ticket)).one()
        assert ticket.number in reply and ticket.deputy.code == "D011"
        [audit] = s.scalars(select(AuditEvent).where(AuditEvent.action == "simulator.send")).all()
        assert audit.actor == "clerk" and audit.target == VOTER and OPINION not in audit.detail
    feed = f"{server.url}/console/simulator/feed"
    query = {"voter": VOTER, "deputy": "D011", **cursor}
    before = http.get(feed, params=query).json()
    assert before["deputy"] == [] and before["waiting"] == 1  # queued, no worker has sent it yet
    app.config["TASK_QUEUE"].drain(app)  # the worker
    after = http.get(feed, params=query).json()
    [push] = after["deputy"]
    assert push["text"].startswith(f"新意见 {ticket.number}") and after["waiting"] == 0 and after["voter"] == []
    # The deputy answers from their phone, the same signed way.
    short = str(int(ticket.number.rsplit("-", 1)[1]))
    res = http.post(f"{server.url}/console/simulator/send", headers={"X-CSRFToken": token},
                    data={"side": "deputy", "code": "D011", "text": f"受理 {short}"})
    assert "已受理" in res.json()["reply"]
    app.config["TASK_QUEUE"].drain(app)
    [told] = http.get(feed, params=query).json()["voter"]
    assert ticket.number in told["text"]


def test_the_xml_it_sends_verifies_with_the_accounts_token_and_decrypts_in_safe_mode(live):
    """The account in safe mode: a stand-in /wechat opens each request with the
    account's gate (signature, msg_signature, AES) and answers sealed."""
    gate = Gate(SAFE_MODE["WECHAT_TOKEN"], SAFE_MODE["WECHAT_APP_ID"], SAFE_MODE["WECHAT_AES_KEY"])
    seen: list = []
    wechat = Flask("stand-in")

    @wechat.post("/wechat")
    def receive():
        body = request.get_data()
        opened = gate.open(request.args, body)
        seen.append((dict(request.args), body, opened))
        reply = render_text_reply(opened.inbound.openid, "gh_liaison", f"收到：{opened.inbound.content}", 0)
        return gate.seal(reply, opened, request.args["nonce"])

    url = live(wechat).url + "/wechat"
    import time

    reply = send_text(url, gate, VOTER_OPENID, OPINION, int(time.time()))
    assert reply == f"收到：{OPINION}"  # the sealed reply, decrypted
    [(query, body, opened)] = seen
    assert opened.encrypted and opened.inbound.openid == VOTER_OPENID and opened.inbound.content == OPINION
    assert query["encrypt_type"] == "aes" and b"<Encrypt>" in body and OPINION.encode() not in body
    other = Gate("anothertoken0123456", SAFE_MODE["WECHAT_APP_ID"], SAFE_MODE["WECHAT_AES_KEY"])
    try:
        other.open(query, body)
    except WebhookError as err:
        assert err.status == 403  # signed with the account's token, not just any
    else:
        raise AssertionError("a gate with another token opened the message")
    try:
        send_text(url.replace("/wechat", "/nowhere"), gate, VOTER_OPENID, OPINION, int(time.time()))
    except NotDelivered as exc:
        assert exc.status == 404
    else:
        raise AssertionError("a refused message was taken as sent")
