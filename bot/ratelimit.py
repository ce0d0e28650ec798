"""A fixed-window failure counter over Redis, for guesses such as "绑定 张三 1234".
Like dedupe.py it takes the client as a parameter, so services never import redis."""
from __future__ import annotations

from typing import Any

PREFIX = "liaison:fails:"


class RedisLimiter:
    def __init__(self, redis: Any, limit: int = 5, window: int = 3600):
        self.redis, self.limit, self.window = redis, limit, window

    def blocked(self, key: str) -> bool:
        raw = self.redis.get(PREFIX + key)
        return int(raw or 0) >= self.limit

    def failed(self, key: str) -> None:
        if self.redis.incr(PREFIX + key) == 1:  # the window starts at the first failure
            self.redis.expire(PREFIX + key, self.window)

    def clear(self, key: str) -> None:
        self.redis.delete(PREFIX + key)
