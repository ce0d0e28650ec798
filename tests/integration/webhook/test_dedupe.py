"""WeChat retries and bursts of the same message still give exactly one ticket."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from bot.models import InboundMessage, OutboundPush, Ticket
from bot.wechat.simulator import event_xml, read_reply, signed_request, text_xml
from wechat_user import Phone

VOTER = "oDEMO_voter_02_03"
SAFE_MODE = {"WECHAT_APP_ID": "wxsafe00000000001", "WECHAT_APP_SECRET": "s3cret", "WECHAT_TOKEN": "safetoken0123456789",
             "WECHAT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count(model.id)))


def test_three_retries_give_one_ticket_and_the_same_answer(app, ext, demo, db):
    phone = Phone(app, VOTER)
    answers = [phone.says("村里自来水停了三天了", msg_id=990001) for _ in range(3)]
    assert len({a.text for a in answers}) == 1 and answers[0].text.startswith("已收到您的意见")
    assert count(db, Ticket) == 1 and count(db, InboundMessage) == 1 and count(db, OutboundPush) == 1
    assert len(ext.queue.items) == 1


def test_repeat_after_the_fast_path_expired_is_caught_by_the_database(app, ext, demo, db):
    phone = Phone(app, VOTER)
    first = phone.says("桥上的栏杆断了", msg_id=990002)
    ext.redis.flushdb()  # the Redis key is gone (expired, or Redis restarted)
    again = phone.says("桥上的栏杆断了", msg_id=990002)
    assert again.text == first.text
    assert count(db, Ticket) == 1


def test_same_text_with_a_new_msgid_is_a_new_message(app, demo, db):
    phone = Phone(app, VOTER)
    phone.says("路灯不亮", msg_id=1)
    phone.says("路灯不亮", msg_id=2)
    assert count(db, Ticket) == 2


def test_repeated_subscribe_event_is_handled_once(app, db):
    phone = Phone(app, "oNewcomer")
    plaintext = event_xml("oNewcomer", "subscribe", phone.now())
    replies = [phone.post_xml(plaintext).text for _ in range(3)]
    assert replies[0] == replies[1] == replies[2]
    assert count(db, InboundMessage) == 1


def _fire(url: str, query: dict, body: bytes, n: int) -> list[requests.Response]:
    barrier = threading.Barrier(n)

    def one(_: int) -> requests.Response:
        barrier.wait()
        return requests.post(url + "/wechat", params=query, data=body, timeout=30)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


@pytest.mark.parametrize("redis_works", [True, False], ids=["redis-fast-path", "database-only"])
def test_fifty_identical_concurrent_posts_make_one_ticket(make_app, live, redis_works):
    # Without Redis the account must be in safe mode: plaintext mode's replay
    # check needs Redis and answers 503 without it (test_webhook_security).
    overrides = {} if redis_works else {"REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens there
                                        **SAFE_MODE}
    app = make_app(**overrides)
    ext = app.extensions["liaison"]
    from bot.services.roster.demo import seed

    with ext.Session() as s:
        seed(s, 3)
        s.commit()
    server = live(app)
    now = int(ext.clock())
    query, body = signed_request(ext.gate, text_xml(VOTER, "排水沟堵了", 880001, now), now)

    responses = _fire(server.url, query, body, 50)

    assert all(r.status_code == 200 for r in responses)
    replies = [read_reply(ext.gate, r.text) for r in responses]
    answered = [r["Content"] for r in replies if r]
    assert answered and len(set(answered)) == 1  # the others said "success"
    with ext.Session() as s:
        assert s.scalar(select(func.count(Ticket.id))) == 1
        assert s.scalar(select(func.count(InboundMessage.id))) == 1
        assert s.scalar(select(func.count(OutboundPush.id))) == 1
    assert len(ext.queue.items) == 1
