"""Deputies reach their phone pages through WeChat web authorisation
(snsapi_base): the state is bound to the browser, the code names the WeChat
account, and only a bound, active deputy gets in."""
from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from bot.models import AuditEvent
from phone_kit import VOTER, authorize, deputy_of, opinion, path_of, pick, sign_in, ticket


@pytest.fixture
def demo_on_wechat(make_app, fake_wechat):
    """A live-mode station whose WeChat (API and authorise page) is the local fake; a bound deputy."""
    from bot.services.roster.demo import seed

    app = make_app(WECHAT_APP_ID="wxtestapp", WECHAT_APP_SECRET="s3cret", WECHAT_TOKEN="tok0123456789abcdef",
                   WECHAT_API_BASE=fake_wechat.base, WECHAT_OAUTH_BASE=fake_wechat.base, WECHAT_TIMEOUT=2.0,
                   PUBLIC_BASE_URL="https://lianluozhan.example.cn/")
    ext = app.extensions["liaison"]
    with ext.Session() as session:
        seed(session, 7)
        session.commit()
        holder = deputy_of(session, VOTER)
    return app, holder


def test_a_deputy_signs_in_through_the_simulated_authorisation_and_sees_their_ticket(app, demo, db):
    number = opinion(app, VOTER, "村口的路灯坏了三个月了，晚上出门看不见路")
    client = app.test_client()
    location, query = authorize(client)
    assert location.startswith("http://localhost/m/sandbox/connect/oauth2/authorize?appid=")
    assert location.endswith("#wechat_redirect")
    assert query["redirect_uri"] == "http://localhost/m/auth"
    assert (query["response_type"], query["scope"]) == ("code", "snsapi_base") and len(query["state"]) >= 32
    back = pick(client, location, deputy_of(db, VOTER).openid)
    target = back.headers["Location"]
    assert target.startswith("http://localhost/m/auth?code=") and f"state={query['state']}" in target
    landed = client.get(path_of(target))
    assert landed.status_code == 302 and landed.headers["Location"] == "/m/"
    home = client.get("/m/").get_data(as_text=True)
    assert number in home and "待受理" in home and "我的工单" in home
    login = db.scalar(select(AuditEvent).where(AuditEvent.action == "mobile.login"))
    assert login.target == f"deputy:{deputy_of(db, VOTER).code}"


def test_the_page_keeps_its_own_cookie_and_the_consoles_headers(app, demo, db):
    opinion(app, VOTER, "村口的路灯坏了三个月了，晚上出门看不见路")
    client, home = sign_in(app, deputy_of(db, VOTER).openid)
    assert home.status_code == 200
    cookie = client.get_cookie("liaison_m", path="/m/")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert client.get_cookie("liaison_console") is None  # never a console session
    assert home.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
    assert home.headers["X-Frame-Options"] == "DENY" and home.headers["Cache-Control"] == "no-store"
    assert "<script" not in home.get_data(as_text=True) and "style=" not in home.get_data(as_text=True)
    # A cookie signed the console's way (same keys, its salt) does not open the phone pages.
    holder = deputy_of(db, VOTER)
    ext = app.extensions["liaison"]
    with app.test_request_context():
        forged = app.session_interface.get_signing_serializer(app).dumps(
            {"d": holder.id, "o": ext.log_id(holder.openid), "t": 2_000_000_000, "c": "x"})
    stranger = app.test_client()
    stranger.set_cookie("liaison_m", forged, path="/m/")
    assert stranger.get("/m/").status_code == 302


def test_the_state_is_bound_to_the_browser_that_asked(app, demo, db):
    openid = deputy_of(db, VOTER).openid
    client = app.test_client()
    location, query = authorize(client)
    back = path_of(pick(client, location, openid).headers["Location"])
    # Another browser arriving with this code and state (a link sent to someone) gets nowhere.
    other = app.test_client()
    authorize(other)  # it has a state of its own
    refused = other.get(back)
    assert refused.status_code == 400 and "重新进入" in refused.get_data(as_text=True)
    assert other.get("/m/").status_code == 302
    # A forged state in the right browser neither.
    forged = client.get(back.replace(query["state"], "0" * 32))
    assert forged.status_code == 400 and "页面已过期" in forged.get_data(as_text=True)
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "mobile.login")) is None


def test_a_code_works_once(app, demo, db):
    openid = deputy_of(db, VOTER).openid
    client = app.test_client()
    location, _ = authorize(client)
    back = path_of(pick(client, location, openid).headers["Location"])
    code = parse_qs(urlsplit(back).query)["code"][0]
    assert client.get(back).status_code == 302  # signed in
    again = app.test_client()
    _, query = authorize(again)
    replay = again.get(f"/m/auth?code={code}&state={query['state']}")
    assert replay.status_code == 502 and "暂时无法确认您的身份" in replay.get_data(as_text=True)


def test_a_voter_or_an_unbound_account_is_refused_in_chinese(app, demo, db):
    for openid in (VOTER, "oSomeoneNeverSeen"):
        client, page = sign_in(app, openid)
        assert page.status_code == 403
        assert "这里只供人大代表使用" in page.get_data(as_text=True) and "代表绑定卡" in page.get_data(as_text=True)
        assert client.get("/m/").status_code == 302  # still nobody
    refused = db.scalars(select(AuditEvent).where(AuditEvent.action == "mobile.refused")).all()
    assert len(refused) == 2 and all(VOTER not in (r.actor + r.detail) for r in refused)


def test_revoking_the_binding_or_retiring_the_deputy_ends_their_session(app, demo, db):
    from bot.services.accounts import bindings

    holder = deputy_of(db, VOTER)
    client, home = sign_in(app, holder.openid)
    assert home.status_code == 200
    bindings.revoke(db, holder.code, "clerk", app.extensions["liaison"].now())
    db.commit()
    assert client.get("/m/").status_code == 302  # back to WeChat, where the account is nobody now
    # A retired deputy keeps no way in either.
    other = deputy_of(db, "oDEMO_voter_01_01")
    client, home = sign_in(app, other.openid)
    assert home.status_code == 200
    other.active = False
    db.commit()
    assert client.get("/m/").status_code == 302
    _, page = sign_in(app, other.openid)
    assert page.status_code == 403


def test_a_form_without_its_token_does_nothing(app, demo, db):
    number = opinion(app, VOTER, "村口的路灯坏了三个月了，晚上出门看不见路")
    client, _ = sign_in(app, deputy_of(db, VOTER).openid)
    res = client.post(f"/m/t/{number}", data={"action": "accept"})
    assert res.status_code == 400 and "页面已过期" in res.get_data(as_text=True)
    assert ticket(db, number).status == "new"


def test_the_simulated_authorisation_is_for_the_sandbox_on_this_machine_only(app, demo, make_app, db):
    client = app.test_client()
    location, _ = authorize(client)
    far = client.get(path_of(location), environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert far.status_code == 403 and "沙箱模式" in far.get_data(as_text=True)
    relayed = client.get(path_of(location), headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status_code == 403
    # Pointed at another site, it sends no code anywhere.
    evil = path_of(location).replace("http%3A%2F%2Flocalhost%2Fm%2Fauth", "https%3A%2F%2Fevil.example%2F")
    assert client.get(evil).status_code == 400


def test_live_mode_has_no_simulated_page_and_needs_the_public_address(make_app, fake_wechat):
    app = make_app(WECHAT_APP_ID="wxtestapp", WECHAT_APP_SECRET="s3cret", WECHAT_TOKEN="tok0123456789abcdef",
                   WECHAT_API_BASE=fake_wechat.base)
    client = app.test_client()
    assert client.get("/m/sandbox/connect/oauth2/authorize?appid=wxtestapp").status_code == 403
    page = client.get("/m/")
    assert page.status_code == 503 and "LIAISON_PUBLIC_BASE_URL" in page.get_data(as_text=True)


def test_on_wechat_the_code_is_exchanged_through_the_api_client(make_app, fake_wechat, demo_on_wechat):
    app, holder = demo_on_wechat
    client = app.test_client()
    location, query = authorize(client)
    assert location.startswith(f"{fake_wechat.base}/connect/oauth2/authorize?appid=wxtestapp&redirect_uri=")
    assert query["redirect_uri"] == "https://lianluozhan.example.cn/m/auth"
    # The phone at WeChat: WeChat knows whose it is and sends it straight back with a code.
    fake_wechat.oauth_user = holder.openid
    fake_wechat.script["oauth"] = [-1]  # "system busy" once: asked again
    back = requests.get(location, allow_redirects=False, timeout=5)
    assert back.status_code == 302 and back.headers["Location"].startswith("https://lianluozhan.example.cn/m/auth?")
    landed = client.get(path_of(back.headers["Location"]))
    assert landed.status_code == 302 and landed.headers["Location"] == "/m/"
    assert client.get("/m/").status_code == 200 and fake_wechat.calls["oauth"] == 2


def test_on_wechat_a_refused_exchange_is_a_chinese_page(make_app, fake_wechat, demo_on_wechat):
    app, holder = demo_on_wechat
    client = app.test_client()
    location, _ = authorize(client)
    fake_wechat.oauth_user = holder.openid
    fake_wechat.script["oauth"] = [40029]  # invalid code
    back = requests.get(location, allow_redirects=False, timeout=5)
    page = client.get(path_of(back.headers["Location"]))
    assert page.status_code == 502 and "微信暂时没有答复" in page.get_data(as_text=True)
    assert fake_wechat.calls["oauth"] == 1  # never repeated: a code works once


def test_a_login_ends_after_its_hours_on_the_apps_clock(app, demo, db):
    from bot.mobile.session import LOGIN_SECONDS

    clock = app.extensions["liaison"].clock
    clock.value = 1_900_000_000.0
    client, home = sign_in(app, deputy_of(db, VOTER).openid)
    assert home.status_code == 200
    clock.value += LOGIN_SECONDS - 60
    assert client.get("/m/").status_code == 200  # busy all day: still in
    clock.value += 61
    ended = client.get("/m/")
    assert ended.status_code == 302 and "/m/sandbox/connect/oauth2/authorize" in ended.headers["Location"]


def test_a_follower_tapping_again_and_again_leaves_one_audit_row_an_hour(app, demo, db, caplog):
    ext = app.extensions["liaison"]
    pseudonym = ext.log_id(VOTER)
    with caplog.at_level(logging.INFO, logger="bot.mobile.views"):
        for _ in range(3):
            _, page = sign_in(app, VOTER)
            assert page.status_code == 403 and "这里只供人大代表使用" in page.get_data(as_text=True)
    refused = db.scalars(select(AuditEvent).where(AuditEvent.action == "mobile.refused")).all()
    assert [r.actor for r in refused] == [f"wechat:{pseudonym}"]
    said = [r.getMessage() for r in caplog.records if "refused WeChat account" in r.getMessage()]
    assert len(said) == 3 and all(pseudonym in line and VOTER not in line for line in said)
    assert all(r.levelno == logging.INFO for r in caplog.records if "refused WeChat account" in r.getMessage())
    assert 3500 < ext.redis.ttl(f"liaison:seen:mobile-refused:{pseudonym}") <= 3600
    sign_in(app, "oSomeoneNeverSeen")  # another account has its own row
    ext.redis.delete(f"liaison:seen:mobile-refused:{pseudonym}")  # the hour is over
    sign_in(app, VOTER)
    db.expire_all()
    actors = [r.actor for r in db.scalars(select(AuditEvent).where(AuditEvent.action == "mobile.refused"))]
    assert actors == [f"wechat:{pseudonym}", f"wechat:{ext.log_id('oSomeoneNeverSeen')}", f"wechat:{pseudonym}"]
