"""Fast-path dedupe of WeChat deliveries: Redis SET NX EX.

The database's unique constraint on the inbound message is the guarantee;
this only keeps retries and bursts from doing the work again.
"""
from __future__ import annotations

from typing import Any

PREFIX = "liaison:seen:"


def first_seen(redis: Any, key: str, ttl: int) -> bool:
    """True if nobody claimed `key` in the last `ttl` seconds (and claim it)."""
    return bool(redis.set(PREFIX + key, b"1", nx=True, ex=ttl))


def forget(redis: Any, key: str) -> None:
    """Release a claim whose processing failed, so WeChat's retry is handled."""
    redis.delete(PREFIX + key)
