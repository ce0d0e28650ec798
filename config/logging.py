"""Logging setup. Message text from voters is never logged at INFO or above.

Two formats (LIAISON_LOG_FORMAT): text for a terminal, json for collectors (one
object a line). Both carry the request id: the HTTP request's, or in a worker
the id of the request that enqueued the task (bot/web/observe.py, bot/jobs/celery.py).
"""
from __future__ import annotations

import contextvars
import json
import logging
import logging.config
from datetime import datetime, timezone

# The request (or the task enqueued by it) this thread is working for; "-" outside one.
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (a handler filter: it sees
    records of every logger, child loggers' included)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message,
    request_id, and exc (the traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False)


FORMATTERS = {
    "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    "json": {"()": JsonFormatter},
}


def configure(level: str = "INFO", fmt: str = "text") -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"request_id": {"()": RequestIdFilter}},
            "formatters": {"main": FORMATTERS[fmt]},
            "handlers": {
                "stderr": {"class": "logging.StreamHandler", "formatter": "main", "filters": ["request_id"]},
            },
            "root": {"handlers": ["stderr"], "level": level.upper()},
            # wechatpy logs request URLs, which carry the access token.
            "loggers": {"wechatpy": {"level": "WARNING"}, "urllib3": {"level": "WARNING"},
                        "alembic": {"level": "WARNING"}},
        }
    )
