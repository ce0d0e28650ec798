"""Liveness and readiness for load balancers and `liaison simulate`."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import text

from ..extensions import Liaison, current

bp = Blueprint("health", __name__)
BROKER_TIMEOUT = 1.0  # seconds: a probe that hangs is worse than one that says "down"


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    ext = current()
    checks = {}
    try:
        with ext.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = type(exc).__name__
    try:
        ext.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = type(exc).__name__
    try:
        broker(ext).ping()
        checks["broker"] = "ok"
    except Exception as exc:
        checks["broker"] = type(exc).__name__
    ok = all(v == "ok" for v in checks.values())
    mode = "sandbox" if ext.sandbox else "live"  # a live deployment answering "sandbox" lost its settings
    return jsonify(status="ok" if ok else "degraded", mode=mode, **checks), (200 if ok else 503)


def broker_url(ext: Liaison) -> str:
    """The Celery broker as redis-py spells it (the broker may be another Redis than the app's)."""
    url = ext.settings.get("BROKER_URL") or ext.redis_url
    if url.startswith("redis+socket://"):  # kombu's unix-socket spelling
        return "unix://" + url[len("redis+socket://"):]
    return url


def broker(ext: Liaison) -> Any:
    """A Redis client for the broker: short timeouts, no retries, kept per process."""
    url = broker_url(ext)
    found = getattr(ext, "broker_probe", None)
    if found is None or found[0] != url:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        client = redis.Redis.from_url(url, socket_timeout=BROKER_TIMEOUT, socket_connect_timeout=BROKER_TIMEOUT,
                                      retry=Retry(NoBackoff(), 0))
        found = ext.broker_probe = (url, client)
    return found[1]
