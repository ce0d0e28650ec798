"""gunicorn settings module (`gunicorn -c python:bot.web.gunicorn_conf ...`):
each worker warms up before it takes its first request."""
from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    from . import warm

    warm(worker.wsgi)


def on_starting(_server: Any) -> None:
    """With PROMETHEUS_MULTIPROC_DIR (the Docker image sets it), start from an
    empty folder: what an earlier run's workers left would be summed in."""
    import os

    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        from ..infra.files import empty_dir

        empty_dir(path)


def child_exit(_server: Any, worker: Any) -> None:
    """A web worker ended: its live gauges stop counting (multiprocess metrics)."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from ..metrics import mark_dead

        mark_dead(worker.pid)


# If an access log is turned on (--access-logfile): the path without the query,
# where WeChat puts the sender's openid (as `liaison serve` logs it).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
