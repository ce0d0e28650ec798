"""Pushes to deputies go through the WeChat client against a local fake API."""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest
import redis as redis_lib
from sqlalchemy import func, select, update

from bot.jobs import tasks
from bot.models import Deputy, OutboundPush
from bot.wechat import WeChatApi
from wechat_user import Phone

VOTER = "oDEMO_voter_01_01"


@pytest.fixture
def wx_app(make_app, fake_wechat):
    def build(**extra):
        config = {"WECHAT_APP_ID": "wxtestapp", "WECHAT_APP_SECRET": "s3cret", "WECHAT_TOKEN": "tok0123456789abcdef",
                  "WECHAT_API_BASE": fake_wechat.base, "WECHAT_TIMEOUT": 2.0}
        config.update(extra)
        return make_app(**config)
    return build


def opinion(app, text: str = "村里自来水停了三天了") -> int:
    """A voter's message through the webhook; returns the queued push id."""
    from bot.services.roster.demo import seed

    ext = app.extensions["liaison"]
    with ext.Session() as s:
        if s.scalar(select(func.count(Deputy.id))) == 0:
            seed(s, 11)
            s.commit()
    Phone(app, VOTER).says(text)
    name, (push_id,) = ext.queue.items.pop()
    assert name == "liaison.deliver_push"
    return push_id


def push(app, push_id: int) -> OutboundPush:
    with app.extensions["liaison"].Session() as s:
        return s.get(OutboundPush, push_id)


def run(app, push_id: int):
    with app.app_context():
        return tasks.deliver(app.extensions["liaison"], push_id)


def test_deputy_gets_a_customer_service_message(wx_app, fake_wechat):
    app = wx_app()
    push_id = opinion(app)
    assert run(app, push_id) is None
    sent = fake_wechat.sent
    assert len(sent) == 1 and sent[0]["kind"] == "custom"
    assert sent[0]["touser"] == push(app, push_id).recipient_openid
    assert sent[0]["text"]["content"].startswith("新意见 ")
    assert push(app, push_id).status == "sent" and push(app, push_id).channel == "custom"
    assert fake_wechat.token_fetches == 1


def test_a_task_run_twice_sends_once(wx_app, fake_wechat):
    app = wx_app()
    push_id = opinion(app)
    run(app, push_id)
    run(app, push_id)
    assert len(fake_wechat.sent) == 1 and push(app, push_id).attempts == 1


def test_two_workers_racing_for_one_push_send_once(wx_app, fake_wechat):
    app = wx_app()
    push_id = opinion(app)
    fake_wechat.delay = 0.2
    threads = [threading.Thread(target=run, args=(app, push_id)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fake_wechat.sent) == 1


def test_web_and_worker_processes_share_one_token(wx_app, fake_wechat, redis_url):
    app = wx_app()
    clients = [WeChatApi("wxtestapp", "s3cret", fake_wechat.base, redis_lib.Redis.from_url(redis_url))
               for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    tokens = []

    def fetch(c):
        barrier.wait()
        tokens.append(c.token())

    threads = [threading.Thread(target=fetch, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(tokens)) == 1
    assert fake_wechat.token_fetches == 1  # one refresh under the lock, the rest read it
    assert app.extensions["liaison"].api.token() == tokens[0]  # the app reads the same Redis key


def test_rejected_token_is_refreshed_once_and_the_call_retried(wx_app, fake_wechat):
    app = wx_app()
    push_id = opinion(app)
    app.extensions["liaison"].api.token()
    fake_wechat.tokens.clear()  # WeChat invalidated it (another service refreshed, say)
    run(app, push_id)
    assert push(app, push_id).status == "sent"
    assert fake_wechat.token_fetches == 2 and fake_wechat.calls["custom"] == 2


def test_token_errors_are_not_retried_without_limit(wx_app, fake_wechat):
    app = wx_app()
    push_id = opinion(app)
    fake_wechat.script["custom"] = [40001] * 10
    delay = run(app, push_id)
    assert fake_wechat.calls["custom"] == 2  # the call and one retry after a refresh
    assert delay and push(app, push_id).status == "pending"


def test_system_busy_is_retried_briefly(wx_app, fake_wechat):
    app = wx_app()
    push_id = opinion(app)
    fake_wechat.script["custom"] = [-1]
    run(app, push_id)
    assert push(app, push_id).status == "sent" and fake_wechat.calls["custom"] == 2


def test_persistent_busy_backs_off_then_gives_up(wx_app, fake_wechat):
    app = wx_app(PUSH_MAX_RETRIES=2)
    push_id = opinion(app)
    fake_wechat.script["custom"] = [-1] * 6
    first = run(app, push_id)
    assert first == 5.0 and push(app, push_id).status == "pending"
    assert run(app, push_id) is None
    p = push(app, push_id)
    assert p.status == "failed" and "gave up after 2 attempts" in p.last_error
    assert fake_wechat.calls["custom"] == 6  # 3 tries per attempt, bounded


def test_closed_window_falls_back_to_a_template_message(wx_app, fake_wechat):
    app = wx_app(WECHAT_TEMPLATE_ID="TPL_NEW_OPINION")
    push_id = opinion(app)
    fake_wechat.script["custom"] = [45015]
    run(app, push_id)
    p = push(app, push_id)
    assert (p.status, p.channel) == ("sent", "template") and p.wechat_msgid
    sent = fake_wechat.sent[0]
    assert sent["template_id"] == "TPL_NEW_OPINION"
    assert sent["data"]["keyword2"]["value"] == "城乡建设"


def test_closed_window_without_a_template_fails_loudly(wx_app, fake_wechat, caplog):
    app = wx_app()
    push_id = opinion(app)
    fake_wechat.script["custom"] = [45047]
    with caplog.at_level(logging.ERROR):
        run(app, push_id)
    assert push(app, push_id).status == "failed"
    assert "LIAISON_WECHAT_TEMPLATE_ID is not set" in caplog.text


def test_permanent_errors_are_not_retried(wx_app, fake_wechat):
    app = wx_app()
    push_id = opinion(app)
    fake_wechat.script["custom"] = [43004]  # the deputy unfollowed the account
    assert run(app, push_id) is None
    assert push(app, push_id).status == "failed" and fake_wechat.calls["custom"] == 1


def test_read_timeout_is_never_resent(wx_app, fake_wechat):
    app = wx_app(WECHAT_TIMEOUT=0.3)
    push_id = opinion(app)
    app.extensions["liaison"].api.token()
    fake_wechat.delay = 1.0
    assert run(app, push_id) is None
    assert push(app, push_id).status == "unknown"
    run(app, push_id)
    assert push(app, push_id).attempts == 1


def test_unreachable_api_is_retried_later(make_app):
    app = make_app(WECHAT_APP_ID="wxtestapp", WECHAT_APP_SECRET="s3cret", WECHAT_TOKEN="tok0123456789abcdef",
                   WECHAT_API_BASE="http://127.0.0.1:1", WECHAT_TIMEOUT=1.0)
    push_id = opinion(app)
    assert run(app, push_id) == 5.0
    assert push(app, push_id).status == "pending"


def test_connection_dropped_after_sending_is_never_resent(make_app):
    """The request reached the server, then the connection dropped: WeChat may have delivered it."""
    import socket

    received = []
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)

    def serve():
        conn, _ = srv.accept()
        received.append(conn.recv(65536))
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    app = make_app(WECHAT_APP_ID="wxtestapp", WECHAT_APP_SECRET="s3cret", WECHAT_TOKEN="tok0123456789abcdef",
                   WECHAT_API_BASE=f"http://127.0.0.1:{srv.getsockname()[1]}")
    ext = app.extensions["liaison"]
    ext.redis.set(ext.api.token_key, "TOKEN", ex=60)
    push_id = opinion(app)
    assert run(app, push_id) is None
    thread.join(5)
    srv.close()
    assert len(received) == 1 and push(app, push_id).status == "unknown"


def test_sweep_leaves_pushes_in_backoff_alone_and_requeues_once(wx_app, fake_wechat):
    app = wx_app()
    ext = app.extensions["liaison"]
    push_id = opinion(app)
    fake_wechat.script["custom"] = [-1] * 3
    assert run(app, push_id) == 5.0  # pending, due again in 5 s
    with ext.Session() as s:
        s.execute(update(OutboundPush).where(OutboundPush.id == push_id)
                  .values(created_at=ext.now() - timedelta(hours=1)))
        s.commit()
    with app.app_context():
        assert tasks.sweep(ext)["requeued"] == 0  # still in its backoff
        ext.clock.value = ext.clock() + 10
        assert tasks.sweep(ext)["requeued"] == 1
        assert tasks.sweep(ext)["requeued"] == 0  # handed over once, not once a minute
    assert ext.queue.items == [("liaison.deliver_push", (push_id,))]


def test_sweep_requeues_lost_pushes_and_gives_up_on_stuck_ones(wx_app):
    app = wx_app()
    ext = app.extensions["liaison"]
    lost = opinion(app, "路灯坏了")
    stuck = opinion(app, "桥断了")
    with ext.Session() as s:
        old = ext.now() - timedelta(hours=1)
        s.execute(update(OutboundPush).where(OutboundPush.id == lost).values(created_at=old))
        s.execute(update(OutboundPush).where(OutboundPush.id == stuck)
                  .values(status="sending", claimed_at=old))
        s.commit()
    with app.app_context():
        assert tasks.sweep(ext) == {"requeued": 1, "unknown": 1, "digests": 0}
    assert ext.queue.items == [("liaison.deliver_push", (lost,))]
    assert push(app, stuck).status == "unknown"

