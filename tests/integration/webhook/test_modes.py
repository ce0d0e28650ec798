"""Which mode runs is never a surprise: the sandbox (its token is in the README)
answers this machine only and says so loudly; live mode says which account."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.cli.context import State
from bot.models import InboundMessage
from bot.wechat import sign
from bot.wechat.simulator import signed_request, text_xml
from wechat_user import Phone

LIVE = {"WECHAT_APP_ID": "wxlive0000000001", "WECHAT_APP_SECRET": "s3cret", "WECHAT_TOKEN": "live0123456789abcdef"}
OUTSIDE = "203.0.113.9"


def stored(ext) -> int:
    with ext.Session() as s:
        return s.scalar(select(func.count(InboundMessage.id)))


def from_address(phone: Phone, address: str, **headers: str) -> Phone:
    phone.client.environ_base["REMOTE_ADDR"] = address
    for name, value in headers.items():
        phone.client.environ_base["HTTP_" + name.upper().replace("-", "_")] = value
    return phone


def test_sandbox_answers_a_request_signed_with_the_public_token_from_this_machine(app, ext):
    assert ext.settings["SANDBOX"] and ext.gate.token == "liaison-dev-token"
    assert from_address(Phone(app, "oVoter"), "127.0.0.1").says("你好").status == 200
    assert from_address(Phone(app, "oVoter"), "::1").says("你好").status == 200


def test_sandbox_refuses_the_same_request_from_anywhere_else(app, ext, caplog):
    phone = from_address(Phone(app, "oVoter"), OUTSIDE)
    with caplog.at_level(logging.WARNING, logger="bot.web.sandbox"):
        assert phone.says("你好").status == 403
    assert stored(ext) == 0
    assert any("not loopback" in r.getMessage() and OUTSIDE in r.getMessage() for r in caplog.records)
    ts, nonce = str(int(ext.clock())), "abc"
    query = {"timestamp": ts, "nonce": nonce, "echostr": "echo", "signature": sign(ext.gate.token, ts, nonce)}
    assert phone.client.get("/wechat", query_string=query).status_code == 403  # nor verify the URL


def test_sandbox_behind_a_proxy_counts_the_proxied_client_not_the_proxy(make_app):
    proxied = make_app(PROXY_COUNT=1)
    outside = from_address(Phone(proxied, "oVoter"), "127.0.0.1", x_forwarded_for=OUTSIDE)
    assert outside.says("你好").status == 403
    local = from_address(Phone(proxied, "oVoter"), "127.0.0.1", x_forwarded_for="127.0.0.1")
    assert local.says("你好").status == 200
    # Without PROXY_COUNT a local proxy relaying an outside request looks local: its headers give it away.
    unconfigured = make_app()
    relayed = from_address(Phone(unconfigured, "oVoter"), "127.0.0.1", x_forwarded_for=OUTSIDE)
    assert relayed.says("你好").status == 403


def test_live_mode_answers_wechat_from_anywhere_and_refuses_the_sandbox_token(make_app):
    app = make_app(**LIVE)
    ext = app.extensions["liaison"]
    phone = from_address(Phone(app, "oVoter"), OUTSIDE)
    assert phone.says("你好").status == 200
    now = int(ext.clock())
    query, body = signed_request(ext.gate, text_xml("oVoter", "你好", 42, now), now)
    query["signature"] = sign("liaison-dev-token", query["timestamp"], query["nonce"])
    assert phone.post_raw(query, body).status == 403


def test_the_start_says_loudly_which_mode_runs(make_app, caplog):
    with caplog.at_level(logging.INFO, logger="bot.extensions"):
        make_app()
        sandbox = [r for r in caplog.records if "SANDBOX MODE" in r.getMessage()]
        assert sandbox and sandbox[0].levelno == logging.WARNING
        caplog.clear()
        make_app(**LIVE)
    lines = [r.getMessage() for r in caplog.records]
    assert any("live mode" in line and LIVE["WECHAT_APP_ID"] in line for line in lines)
    assert not any("SANDBOX" in line or LIVE["WECHAT_APP_SECRET"] in line for line in lines)


def test_the_serve_banner_names_the_mode_and_the_account_never_its_secrets(make_app):
    from bot.cli.serve import banner

    sandbox = banner(make_app().extensions["liaison"], "127.0.0.1", 8000)
    assert "运行模式：沙箱模式" in sandbox and "只接受本机" in sandbox
    live = banner(make_app(**LIVE).extensions["liaison"], "127.0.0.1", 8000)
    assert f"运行模式：正式模式（连接微信公众号 AppID {LIVE['WECHAT_APP_ID']}）" in live
    assert LIVE["WECHAT_APP_SECRET"] not in live and LIVE["WECHAT_TOKEN"] not in live


def test_readyz_and_status_show_the_mode(make_app):
    sandbox, live = make_app(), make_app(**LIVE)
    assert sandbox.test_client().get("/readyz").get_json()["mode"] == "sandbox"
    assert live.test_client().get("/readyz").get_json()["mode"] == "live"
    result = live.test_cli_runner().invoke(main, ["status"], obj=State(app=live))
    assert result.exit_code == 0, result.output
    assert f"正式（连接微信公众号 AppID {LIVE['WECHAT_APP_ID']}）" in result.output
    assert LIVE["WECHAT_APP_SECRET"] not in result.output and LIVE["WECHAT_TOKEN"] not in result.output


@pytest.mark.parametrize("mode", ["sandbox", "live-plaintext"])
def test_plaintext_replay_check_fails_closed_when_redis_is_down(make_app, caplog, mode):
    """Without Redis the (timestamp, nonce) cannot be bound to its body, so a
    replayed query with a forged body could pass: answer 503, WeChat retries."""
    config = {"REDIS_URL": "redis://127.0.0.1:1/0"}  # nothing listens there
    app = make_app(**config, **(LIVE if mode != "sandbox" else {}))
    ext = app.extensions["liaison"]
    with caplog.at_level(logging.WARNING):
        answer = Phone(app, "oVoterRedisDown").says("路灯坏了")
    assert answer.status == 503
    assert stored(ext) == 0
    warned = [r.getMessage() for r in caplog.records if "replay check unavailable" in r.getMessage()]
    assert warned and not any("oVoterRedisDown" in r.getMessage() for r in caplog.records)
