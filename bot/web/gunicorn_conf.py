"""gunicorn settings module (`gunicorn -c python:bot.web.gunicorn_conf ...`):
each worker warms up before it takes its first request."""
from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    from . import warm

    warm(worker.wsgi)


# If an access log is turned on (--access-logfile): the path without the query,
# where WeChat puts the sender's openid (as `liaison serve` logs it).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
