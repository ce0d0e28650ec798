"""The broadcast sender's journal in Redis: a heartbeat per sender run, and
what the run did to each row it claimed ("begin" before the send, the
outcome after). Like ratelimit.py it takes the client, so services never
import redis. When a worker is killed, its rows are settled from here."""
from __future__ import annotations

from typing import Any

PREFIX = "liaison:bc:"


class RedisJournal:
    def __init__(self, redis: Any, lease: float = 30.0, keep: int = 7 * 86400):
        self.redis, self.lease, self.keep = redis, max(1, int(round(lease))), keep

    def beat(self, token: str, broadcast_id: int) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(f"{PREFIX}live:{token}", 1, ex=self.lease)
        pipe.set(f"{PREFIX}running:{broadcast_id}", token, ex=self.lease)
        pipe.expire(f"{PREFIX}log:{token}", self.keep)
        pipe.execute()

    def alive(self, token: str) -> bool:
        return bool(self.redis.exists(f"{PREFIX}live:{token}"))

    def running(self, broadcast_id: int) -> bool:
        return bool(self.redis.exists(f"{PREFIX}running:{broadcast_id}"))

    def stop(self, token: str, broadcast_id: int) -> None:
        self.redis.delete(f"{PREFIX}live:{token}", f"{PREFIX}running:{broadcast_id}")

    def begin(self, token: str, delivery_id: int) -> None:
        self.redis.hset(f"{PREFIX}log:{token}", str(delivery_id), "begin")

    def done(self, token: str, delivery_id: int, outcome: str) -> None:
        self.redis.hset(f"{PREFIX}log:{token}", str(delivery_id), outcome[:300])

    def outcomes(self, token: str, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        values = self.redis.hmget(f"{PREFIX}log:{token}", [str(i) for i in ids])
        return {i: (v.decode() if isinstance(v, bytes) else v) for i, v in zip(ids, values) if v is not None}

    def forget(self, token: str, ids: list[int]) -> None:
        if ids:
            self.redis.hdel(f"{PREFIX}log:{token}", *[str(i) for i in ids])


class SharedRate:
    """At most `rate` sends per second across every worker of the account
    (WeChat's limits are per account): a Redis counter per second."""

    def __init__(self, redis: Any, rate: float, key: str = "all", sleep: Any = None, clock: Any = None):
        import time

        self.redis, self.rate, self.key = redis, int(rate), key
        self.sleep, self.clock = sleep or time.sleep, clock or time.time

    def wait(self) -> None:
        if self.rate <= 0:
            return
        while True:
            now = self.clock()
            second = int(now)
            name = f"{PREFIX}rate:{self.key}:{second}"
            pipe = self.redis.pipeline(transaction=False)
            pipe.incr(name)
            pipe.expire(name, 5)
            if pipe.execute()[0] <= self.rate:
                return
            self.sleep(max(0.001, second + 1 - now))
