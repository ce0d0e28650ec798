"""Liaison: a WeChat bot for a township deputy liaison station."""
from __future__ import annotations

from typing import Any, Mapping


def create_app(config: Mapping[str, Any] | None = None):
    """Build the Flask app. Imported lazily so `bot.models` or `bot.nlp`
    stay cheap to import for workers, tools and benchmarks."""
    from .app import build_app

    return build_app(config)
