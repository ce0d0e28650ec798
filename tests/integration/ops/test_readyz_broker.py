"""/readyz checks the Celery broker too, which may be another Redis than the app's."""
from __future__ import annotations

import socket


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_ready_when_database_redis_and_broker_answer(app):
    res = app.test_client().get("/readyz")
    assert res.status_code == 200
    assert res.get_json() | {"mode": None} == {"status": "ok", "database": "ok", "redis": "ok", "broker": "ok",
                                               "mode": None}


def test_a_broker_that_does_not_answer_makes_it_not_ready(make_app):
    app = make_app(BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0")
    res = app.test_client().get("/readyz")
    assert res.status_code == 503
    body = res.get_json()
    assert body["status"] == "degraded" and body["broker"] == "ConnectionError"
    assert body["database"] == "ok" and body["redis"] == "ok"


def test_the_broker_setting_is_where_celery_sends_tasks(make_app):
    url = f"redis://127.0.0.1:{closed_port()}/3"
    app = make_app(BROKER_URL=url)
    assert app.extensions["liaison"].celery.conf.broker_url == url
