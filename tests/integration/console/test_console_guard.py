"""The console's guards without a browser: the login rate limit, the idle
timeout, where a login may send you, and the webhook left as it was."""
from __future__ import annotations


from wechat_user import Phone

from console_kit import PASSWORD
from console_kit import add_user as _user
from console_kit import csrf_token as _token


def test_failed_logins_from_one_address_are_rate_limited_in_chinese(app):
    client = app.test_client()
    token = _token(client)
    for i in range(10):
        res = client.post("/console/login", data={"username": f"nobody{i}", "password": "x" * 12,
                                                  "csrf_token": token})
        assert res.status_code == 401
    res = client.post("/console/login", data={"username": "nobody", "password": "x" * 12, "csrf_token": token})
    assert res.status_code == 429
    assert "请稍后再试" in res.get_data(as_text=True)
    other = app.test_client()
    res = other.post("/console/login", data={"username": "nobody", "password": "x" * 12,
                                              "csrf_token": _token(other)},
                     environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert res.status_code == 401  # another address is not held back


def test_every_login_post_counts_and_one_account_is_held_back_from_any_address(app):
    """Found in review: counting only failures, after the response, let a burst
    of parallel guesses through; and one account could be guessed from many
    addresses. Every POST counts as it arrives, per address and per username."""
    _user(app)
    for i in range(10):
        client = app.test_client()
        res = client.post("/console/login", data={"username": "clerk", "password": "wrong" * 3,
                                                  "csrf_token": _token(client)},
                          environ_base={"REMOTE_ADDR": f"10.0.1.{i}"})
        assert res.status_code == 401
    client = app.test_client()
    res = client.post("/console/login", data={"username": "clerk", "password": PASSWORD,
                                              "csrf_token": _token(client)}, environ_base={"REMOTE_ADDR": "10.0.2.1"})
    assert res.status_code == 429  # an eleventh try at this account within the minute, from a new address


def test_logging_out_ends_the_login_everywhere(app):
    """Found in review: the cookie alone was the session, so a copy kept before
    logging out still worked afterwards."""
    _user(app)
    client = app.test_client()
    client.post("/console/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": _token(client)})
    copy = app.test_client()
    copy.set_cookie("liaison_console", client.get_cookie("liaison_console").value)
    assert copy.get("/console/").status_code == 200
    client.post("/console/logout", data={"csrf_token": _token(client, "/console/")})
    assert copy.get("/console/").status_code == 302  # back to the login page


def test_a_login_ends_after_its_hours_however_busy(make_app):
    app = make_app(CONSOLE_SESSION_HOURS=1)
    _user(app)
    client = app.test_client()
    client.post("/console/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": _token(client)})
    assert client.get("/console/").status_code == 200
    ext = app.extensions["liaison"]
    sid = next(iter(ext.redis.scan_iter("liaison:console:login:*")))
    assert 0 < ext.redis.ttl(sid) <= 3600


def test_idle_sessions_end(make_app):
    app = make_app(CONSOLE_IDLE_MINUTES=30)
    _user(app)
    clock = app.config["CLOCK"]
    clock.value = 1_800_000_000.0
    client = app.test_client()
    client.post("/console/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": _token(client)})
    assert client.get("/console/").status_code == 200
    clock.value += 29 * 60
    assert client.get("/console/").status_code == 200
    clock.value += 31 * 60
    res = client.get("/console/")
    assert res.status_code == 302 and res.headers["Location"].endswith("/console/login")
    assert "长时间没有操作" in client.get("/console/login").get_data(as_text=True)


def test_login_only_returns_to_console_pages(app):
    _user(app)
    for target, expected in (("/console/tickets", "/console/tickets"), ("https://evil.example/", "/console/"),
                             ("//evil.example/console", "/console/"), ("/wechat", "/console/")):
        client = app.test_client()
        res = client.post("/console/login", query_string={"next": target},
                          data={"username": "clerk", "password": PASSWORD, "csrf_token": _token(client)})
        assert res.status_code == 302 and res.headers["Location"] == expected, target


def test_session_cookie_is_secure_outside_sandbox(make_app):
    live = make_app(WECHAT_APP_ID="wxlive", WECHAT_APP_SECRET="secret", WECHAT_TOKEN="tok0123456789abcdef")
    assert live.config["SESSION_COOKIE_SECURE"] is True
    sandbox = make_app()
    assert sandbox.config["SESSION_COOKIE_SECURE"] is False
    assert sandbox.config["SESSION_COOKIE_HTTPONLY"] is True and sandbox.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_webhook_takes_no_csrf_token_and_gets_no_console_headers(app, demo):
    client = app.test_client()
    assert client.get("/console/login").status_code == 200  # the console is set up
    answer = Phone(app, "oDEMO_voter_01_01").says("村里的水渠堵了，下雨就淹到路上")
    assert answer.status == 200 and "编号" in answer.text
    res = client.get("/healthz")
    assert "Content-Security-Policy" not in res.headers


def test_unknown_console_pages_are_a_chinese_404(app):
    res = app.test_client().get("/console/no-such-page")
    assert res.status_code == 404 and "没有找到" in res.get_data(as_text=True)
    assert res.headers["X-Frame-Options"] == "DENY"
    assert app.test_client().get("/no-such-page").status_code == 404


def test_an_unknown_console_page_leaves_no_database_session_open(app):
    """The app's 404 handler draws the console's error page for a logged-in
    clerk (loading the user opens a session) outside the blueprint: the session
    must still be closed, or the connection idles inside a transaction and
    holds its locks (on PostgreSQL a TRUNCATE or a migration waits forever)."""
    from console_kit import log_in

    _user(app, "clerk", "staff")
    clerk = log_in(app, "clerk")
    pool = app.extensions["liaison"].engine.pool
    res = clerk.get("/console/no-such-page")
    assert res.status_code == 404 and "没有找到" in res.get_data(as_text=True)
    assert pool.checkedout() == 0
