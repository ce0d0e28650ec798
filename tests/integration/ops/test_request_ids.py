"""Every request has an id: in its answer's X-Request-ID, in its JSON log
lines, and in the log lines of the tasks it enqueued, as a real Celery worker
runs them."""
from __future__ import annotations

import io
import json
import logging
import time

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import select

from bot.models import OutboundPush
from bot.services.roster.demo import seed
from config.logging import JsonFormatter, RequestIdFilter
from config.settings import load
from wechat_user import Phone


@pytest.fixture
def json_log():
    """The root logger's lines, formatted as LIAISON_LOG_FORMAT=json formats them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines() -> list[dict]:
        return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_sane_incoming_request_id_is_kept_and_anything_else_replaced(app):
    client = app.test_client()
    assert client.get("/healthz", headers={"X-Request-ID": "edge-7f3a9c01"}).headers["X-Request-ID"] == "edge-7f3a9c01"
    forged = client.get("/healthz", headers={"X-Request-ID": "x\" level=ERROR"}).headers["X-Request-ID"]
    assert forged != "x\" level=ERROR" and len(forged) == 32
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_json_lines_carry_time_level_logger_message_request_id_and_the_exception(json_log):
    log = logging.getLogger("bot.test")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("it failed")
    (line,) = [x for x in json_log() if x["logger"] == "bot.test"]
    assert {"time", "level", "logger", "message", "request_id", "exc"} <= set(line)
    assert line["level"] == "ERROR" and line["message"] == "it failed" and line["request_id"] == "-"
    assert "ValueError: boom" in line["exc"]


def test_the_log_format_setting_is_text_or_json():
    assert load({})["LOG_FORMAT"] == "text"
    assert load({"LIAISON_LOG_FORMAT": "JSON"})["LOG_FORMAT"] == "json"
    with pytest.raises(ValueError):
        load({"LIAISON_LOG_FORMAT": "xml"})


def test_the_request_id_follows_the_message_into_the_worker_that_pushes_it(make_app, json_log):
    app = make_app(TASK_QUEUE=None)  # enqueue through Celery, as in production
    ext = app.extensions["liaison"]
    with ext.Session() as s:
        seed(s, 9)
        s.commit()
    phone = Phone(app, "oDEMO_voter_04_02")
    phone.client.environ_base["HTTP_X_REQUEST_ID"] = "req-0123456789ab"
    with start_worker(ext.celery, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert phone.says("河边的护栏倒了，晚上很危险").status == 200
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with ext.Session() as s:
                if s.scalar(select(OutboundPush.status)) == "sent":
                    break
            time.sleep(0.1)
    lines = json_log()
    ours = [x for x in lines if x["request_id"] == "req-0123456789ab"]
    assert any(x["logger"] == "bot.web.observe" and "webhook answered 200" in x["message"] for x in ours), lines
    # The worker's lines for the push task: Celery's own and the sandbox notifier's.
    assert any(x["logger"] == "bot.wechat.client" for x in ours), lines
    # Nothing the worker logged for this push lost the id on the way.
    assert not [x for x in lines if x["logger"] == "bot.wechat.client" and x["request_id"] != "req-0123456789ab"]
