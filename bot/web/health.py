"""Liveness and readiness for load balancers and `liaison simulate`."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from ..extensions import current

bp = Blueprint("health", __name__)


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
    ok = all(v == "ok" for v in checks.values())
    mode = "sandbox" if ext.sandbox else "live"  # a live deployment answering "sandbox" lost its settings
    return jsonify(status="ok" if ok else "degraded", mode=mode, **checks), (200 if ok else 503)
