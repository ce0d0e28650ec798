"""/metrics: what a voter's message, its push and the queues look like to
Prometheus, and who may read it. The tests run in one process with the default
registry, whose counters outlive a test: each test compares before and after."""
from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from bot.services.roster.demo import seed
from wechat_user import Phone

VOTER = "oDEMO_voter_04_02"


def scrape(app, address: str = "127.0.0.1", **headers: str):
    return app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": address}, headers=headers)


def value(app, name: str, **labels: str) -> float:
    """One sample of a scrape (0 when it is not there yet)."""
    res = scrape(app)
    assert res.status_code == 200, res.status_code
    for family in text_string_to_metric_families(res.get_data(as_text=True)):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def seeded(make_app, **overrides):
    app = make_app(**overrides)
    with app.extensions["liaison"].Session() as s:
        seed(s, 9)
        s.commit()
    return app


def test_a_message_shows_as_a_webhook_answer_a_ticket_and_a_pending_push(make_app):
    app = seeded(make_app)
    replies = value(app, "liaison_webhook_seconds_count", outcome="reply")
    tickets = value(app, "liaison_tickets_created_total")

    assert Phone(app, VOTER).says("河边的护栏倒了，晚上很危险").status == 200

    assert value(app, "liaison_webhook_seconds_count", outcome="reply") == replies + 1
    assert value(app, "liaison_tickets_created_total") == tickets + 1
    assert value(app, "liaison_outbox_pending") == 1  # the deputy's push, not yet sent
    assert value(app, "liaison_queue_tasks", queue="celery") == 0  # the test queue stands in for Celery


def test_wechats_retry_of_a_message_is_counted_as_a_duplicate(make_app):
    app = seeded(make_app)
    phone = Phone(app, VOTER)
    first = phone.says("河边的护栏倒了，晚上很危险", msg_id=424242)
    replies = value(app, "liaison_webhook_seconds_count", outcome="reply")
    duplicates = value(app, "liaison_webhook_seconds_count", outcome="duplicate")

    again = phone.says("河边的护栏倒了，晚上很危险", msg_id=424242)  # WeChat did not hear the answer in time

    assert again.text == first.text
    assert value(app, "liaison_webhook_seconds_count", outcome="duplicate") == duplicates + 1
    assert value(app, "liaison_webhook_seconds_count", outcome="reply") == replies


def test_the_worker_counts_the_push_it_sent(make_app):
    app = seeded(make_app)
    sent = value(app, "liaison_pushes_total", result="sent")
    Phone(app, VOTER).says("河边的护栏倒了，晚上很危险")

    app.extensions["liaison"].queue.drain(app)

    assert value(app, "liaison_pushes_total", result="sent") == sent + 1
    assert value(app, "liaison_outbox_pending") == 0


def test_a_refused_webhook_request_is_counted_as_rejected(make_app):
    app = seeded(make_app)
    rejected = value(app, "liaison_webhook_seconds_count", outcome="rejected")
    res = app.test_client().post("/wechat?signature=bad&timestamp=1&nonce=2", data=b"<xml/>",
                                 environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert res.status_code in (400, 403)
    assert value(app, "liaison_webhook_seconds_count", outcome="rejected") == rejected + 1


def test_tasks_waiting_in_the_broker_are_the_queue_depth(make_app):
    app = seeded(make_app)
    ext = app.extensions["liaison"]
    ext.redis.rpush("celery", b"{}", b"{}")
    ext.redis.rpush("celery\x06\x163", b"{}")  # kombu's list for a lower priority
    assert value(app, "liaison_queue_tasks", queue="celery") == 3


def test_without_a_token_metrics_answer_this_machine_only(app):
    assert scrape(app, "127.0.0.1").status_code == 200
    assert scrape(app, "::1").status_code == 200
    # Behind Docker's published port everyone, the internet too, comes from the bridge's gateway.
    assert scrape(app, "172.18.0.1").status_code == 403
    assert scrape(app, "10.1.2.3").status_code == 403
    assert scrape(app, "198.51.7.9").status_code == 403
    assert scrape(app, "100.64.0.1").status_code == 403  # carrier-grade NAT: shared with strangers
    # Relayed by a proxy on this machine from outside, without PROXY_COUNT: outside.
    assert scrape(app, "127.0.0.1", **{"X-Forwarded-For": "198.51.7.9"}).status_code == 403


def test_with_a_token_only_requests_bearing_it_are_answered(make_app):
    app = make_app(METRICS_TOKEN="scrape-0123456789abcdef")
    assert scrape(app, "127.0.0.1").status_code == 403
    assert scrape(app, "127.0.0.1", Authorization="Bearer wrong").status_code == 403
    assert scrape(app, "198.51.7.9", Authorization="Bearer scrape-0123456789abcdef").status_code == 200


class Broken:
    """A metric whose file cannot be written (a metrics folder missing or read-only)."""

    def labels(self, **_):
        return self

    def inc(self, *_):
        raise FileNotFoundError("metrics/counter_1.db")

    observe = inc


def test_a_metric_that_cannot_be_recorded_costs_the_figure_never_the_ticket_or_the_push(make_app, monkeypatch):
    from bot import metrics

    for name in ("WEBHOOK_SECONDS", "TICKETS_CREATED", "PUSHES"):
        monkeypatch.setattr(metrics, name, Broken())
    app = seeded(make_app)
    answer = Phone(app, VOTER).says("河边的护栏倒了，晚上很危险")
    assert answer.status == 200 and "已收到" in answer.text
    ext = app.extensions["liaison"]
    assert [name for name, _ in ext.queue.items] == ["liaison.deliver_push"]  # enqueued after the commit
    ext.queue.drain(app)
    from bot.models import OutboundPush

    with ext.Session() as s:
        assert [p.status for p in s.query(OutboundPush)] == ["sent"]
