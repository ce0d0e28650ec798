"""Logging setup. Message text from voters is never logged at INFO or above."""
from __future__ import annotations

import logging.config


def configure(level: str = "INFO") -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            },
            "handlers": {
                "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
            },
            "root": {"handlers": ["stderr"], "level": level.upper()},
            # wechatpy logs request URLs, which carry the access token.
            "loggers": {"wechatpy": {"level": "WARNING"}, "urllib3": {"level": "WARNING"},
                        "alembic": {"level": "WARNING"}},
        }
    )
