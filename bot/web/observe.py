"""Every HTTP request: a request id (logs, the X-Request-ID header, the tasks it
enqueues), and the webhook's latency by outcome. Hooks, so the webhook's own
code stays as it is; prometheus is imported on the first webhook answer, never
when the app is built (bot/metrics.py says why)."""
from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from flask import Flask, Response, g, request

from config.logging import request_id

log = logging.getLogger(__name__)
HEADER = "X-Request-ID"
# What we take from a proxy or client: short, and nothing that could forge a log line.
_SANE = re.compile(r"[A-Za-z0-9._:-]{8,64}")
WEBHOOK = "webhook.receive"


def install(app: Flask) -> None:
    app.before_request(_begin)
    app.after_request(_finish)
    app.teardown_request(_end)


def _begin() -> None:
    given = request.headers.get(HEADER, "")
    rid = given if given and _SANE.fullmatch(given) else secrets.token_hex(16)
    g.request_id = rid
    g.request_id_token = request_id.set(rid)
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    rid = g.get("request_id")
    if rid:
        response.headers[HEADER] = rid
    if request.endpoint == WEBHOOK and "started" in g:
        from ..metering import record

        took, said = time.perf_counter() - g.started, outcome(response)
        record("WEBHOOK_SECONDS", "observe", took, outcome=said)
        # One line a message, carrying the request id its tasks carry too (never who or what).
        log.info("webhook answered %s (%s) in %.0f ms", response.status_code, said, took * 1000)
    return response


def _end(_exc: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        try:
            request_id.reset(token)
        except ValueError:  # set in another context (a server that switched threads): just clear it
            request_id.set("-")


def outcome(response: Any) -> str:
    """The webhook's answer in one word: reply (a passive reply), ack ("success",
    nothing to say, which includes most repeats), duplicate (when the webhook
    says so in g.webhook_outcome), spooled (the database was down: kept on disk),
    rejected (400/403/413: signature, timestamp,
    size), unavailable (503: WeChat will retry), error (any other failure)."""
    marked = g.get("webhook_outcome")
    if marked:
        return marked
    status = response.status_code
    if status == 200:
        return "reply" if response.mimetype == "application/xml" else "ack"
    if status == 503:
        return "unavailable"
    if 400 <= status < 500:
        return "rejected"
    return "error"
