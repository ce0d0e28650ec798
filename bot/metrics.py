"""The Prometheus metrics every process records, and how /metrics reads them.

A leaf module (it imports nothing of ours), so the WeChat adapter may count its
token refreshes here. Imported on first use, never by the app factory: with
several processes (gunicorn workers, the Celery worker) prometheus_client picks
its multiprocess mode when it is first imported, from PROMETHEUS_MULTIPROC_DIR,
so `liaison serve` sets that before anything imports this module.
"""
from __future__ import annotations

import os
from typing import Any, Iterable

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

ENV = "PROMETHEUS_MULTIPROC_DIR"

# WeChat wants an answer within 5 s: buckets around that.
WEBHOOK_SECONDS = Histogram(
    "liaison_webhook_seconds", "Time to answer a WeChat webhook POST, by outcome",
    ["outcome"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0))
TICKETS_CREATED = Counter("liaison_tickets_created", "Tickets opened (committed)")
PUSHES = Counter("liaison_pushes", "Outbox pushes the worker settled, by result (sent, failed, unknown, retried)",
                 ["result"])
TOKEN_REFRESHES = Counter("liaison_wechat_token_refreshes", "WeChat access tokens fetched, by result (ok, failed)",
                          ["result"])
BROADCAST_DELIVERIES = Counter("liaison_broadcast_deliveries",
                               "Broadcast deliveries, by result (sent, retry, failed, quota, ...): rate() of "
                               "result=\"sent\" is the broadcast rate", ["result"])


def multiprocess_dir() -> str | None:
    return os.environ.get(ENV) or None


def serve_worker_metrics(port: int, address: str = "0.0.0.0") -> Any:
    """A Celery worker in a container of its own (compose) cannot be summed by
    the web's /metrics: it answers scrapes itself, on its private network."""
    from prometheus_client import start_http_server

    return start_http_server(port, addr=address, registry=_registry())  # (server, thread): a daemon thread


def _registry() -> CollectorRegistry:
    """Every process's metrics summed when several write to PROMETHEUS_MULTIPROC_DIR, else this one's."""
    registry = CollectorRegistry()
    path = multiprocess_dir()
    if path:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry, path=path)
    else:
        registry.register(_Default())
    return registry


def mark_dead(pid: int) -> None:
    """gunicorn's child_exit: a dead worker's live gauges stop counting."""
    path = multiprocess_dir()
    if path:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, path)


def exposition(extra: Iterable[Any] = ()) -> tuple[bytes, str]:
    """The text a scrape gets: every process's metrics summed when several
    write to PROMETHEUS_MULTIPROC_DIR, else this process's; plus `extra`
    collectors (read at scrape time)."""
    from prometheus_client import CONTENT_TYPE_LATEST

    registry = _registry()
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Default:
    """This process's default registry, re-exposed through the scrape's registry."""

    def collect(self) -> Iterable[Any]:
        return DEFAULT_REGISTRY.collect()

    def describe(self) -> list:
        return []  # names are not checked against the scrape's other collectors
