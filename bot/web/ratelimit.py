"""A fixed-window attempt counter over Redis, for guesses such as "绑定 张三 1234".
Like dedupe.py it takes the client as a parameter, so services never import redis."""
from __future__ import annotations

from typing import Any

PREFIX = "liaison:fails:"
# Count first, then decide, in one atomic step: concurrent guesses each get their own
# number, and a key never lives without its expiry (a lockout must end).
_HIT = """
local n = redis.call('INCR', KEYS[1])
if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class RedisLimiter:
    def __init__(self, redis: Any, limit: int = 5, window: int = 3600):
        self.redis, self.limit, self.window = redis, limit, window

    def hit(self, key: str, limit: int | None = None) -> bool:
        """Count one attempt; True while the window holds no more than `limit` of them."""
        count = int(self.redis.eval(_HIT, 1, PREFIX + key, self.window))
        return count <= (limit if limit is not None else self.limit)

    def clear(self, key: str) -> None:
        """For staff who unlock someone by hand; claims never clear their own counter."""
        self.redis.delete(PREFIX + key)
