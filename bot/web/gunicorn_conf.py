"""gunicorn settings module (`gunicorn -c python:bot.web.gunicorn_conf ...`):
each worker warms up before it takes its first request."""
from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    from . import warm

    warm(worker.wsgi)
