"""/metrics (routed in bot/app.py): Prometheus text, for loopback or a bearer token.

What is counted, and where: bot/metrics.py. Queue depths are read here, at
scrape time: one Redis pipeline of LLENs and one COUNT on an indexed column."""
from __future__ import annotations

import hmac
import logging
from typing import Any, Iterable

from flask import Response, abort, request
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from .. import metrics
from ..extensions import Liaison, current
from ..models import OutboundPush, PushStatus
from . import sandbox
from .health import broker

log = logging.getLogger(__name__)
# kombu's Redis transport keeps a queue's priorities in sibling lists: name, name\x06\x163, ...
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def scrape() -> Response:
    ext = current()
    if not allowed(ext.settings):
        log.info("/metrics refused (403) for %s", request.remote_addr)  # info: anyone can make these
        abort(403)
    body, content_type = metrics.exposition([QueueDepth(ext)])
    return Response(body, content_type=content_type)


def allowed(settings: Any) -> bool:
    """With METRICS_TOKEN: only a request bearing it. Without: loopback only, and
    not a request a local proxy relayed from outside (as the sandbox's webhook
    decides). Not private addresses: behind Docker's port publishing every
    client, the internet included, arrives from the bridge's private gateway."""
    token = settings.get("METRICS_TOKEN")
    if token:
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    return sandbox.from_loopback(int(settings.get("PROXY_COUNT") or 0))


class QueueDepth:
    """Work waiting, read when scraped: tasks in the broker's queue(s), and
    outbox pushes not yet sent. A source that does not answer is left out of
    the scrape (and logged), so /metrics still answers."""

    def __init__(self, ext: Liaison) -> None:
        self.ext = ext

    def describe(self) -> list:
        return []

    def collect(self) -> Iterable[Any]:
        tasks = GaugeMetricFamily("liaison_queue_tasks", "Tasks waiting in the Celery broker, by queue",
                                  labels=["queue"])
        try:
            for queue, depth in self._queues():
                tasks.add_metric([queue], depth)
            yield tasks
        except Exception as exc:
            log.warning("queue depth not read from the broker: %s", type(exc).__name__)
        try:
            with self.ext.Session() as s:
                pending = s.scalar(select(func.count()).select_from(OutboundPush)
                                   .where(OutboundPush.status == PushStatus.PENDING))
            yield GaugeMetricFamily("liaison_outbox_pending", "Outbox pushes pending (not yet claimed by a worker)",
                                    value=pending or 0)
        except Exception as exc:
            log.warning("pending pushes not counted: %s", type(exc).__name__)

    def _queues(self) -> list[tuple[str, int]]:
        names = [self.ext.celery.conf.task_default_queue]
        pipe = broker(self.ext).pipeline(transaction=False)
        for name in names:
            for suffix in _PRIORITY_SUFFIXES:
                pipe.llen(name + suffix)
        lengths = pipe.execute()
        step = len(_PRIORITY_SUFFIXES)
        return [(name, sum(lengths[i * step:(i + 1) * step])) for i, name in enumerate(names)]
