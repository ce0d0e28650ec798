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

    def begin(self, token: str, delivery_id: int, settled: dict[int, str] | None = None) -> None:
        """Mark a row as about to be sent (must be stored before the send), and
        write the outcomes of earlier sends in the same command."""
        self._mark(token, {**(settled or {}), delivery_id: "begin"})

    def done(self, token: str, outcomes: dict[int, str]) -> None:
        if outcomes:
            self._mark(token, outcomes)

    def _mark(self, token: str, marks: dict[int, str]) -> None:
        fields = [part for k, v in marks.items() for part in (str(k), v[:300])]
        # HSET without redis-py's argument-checking wrapper (6% of a push's CPU).
        self.redis.execute_command("HSET", f"{PREFIX}log:{token}", *fields)

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
    (WeChat's limits are per account): a Redis counter per second. A process
    takes its permits in blocks (a twentieth of the rate) to spare round
    trips; permits left over when the second ends are dropped, never carried."""

    def __init__(self, redis: Any, rate: float, key: str = "all", sleep: Any = None, clock: Any = None,
                 block: int | None = None):
        import threading
        import time

        self.redis, self.rate, self.key = redis, int(rate), key
        self.sleep, self.clock = sleep or time.sleep, clock or time.time
        self.block = block or max(1, min(50, self.rate // 20))
        self.lock = threading.Lock()
        self.second, self.left = -1, 0  # permits this process holds for `second`

    def wait(self) -> None:
        if self.rate <= 0:
            return
        while True:
            with self.lock:
                now = self.clock()
                second = int(now)
                if second != self.second:
                    self.second, self.left = second, 0
                if self.left == 0:  # no permit in hand: ask for a block (-1: this second is spent)
                    self.left = self._take(second) or -1
                if self.left > 0:
                    self.left -= 1
                    return
            self.sleep(max(0.001, second + 1 - now))

    def _take(self, second: int) -> int:
        name = f"{PREFIX}rate:{self.key}:{second}"
        pipe = self.redis.pipeline(transaction=False)
        pipe.incrby(name, self.block)
        pipe.expire(name, 5)
        total = pipe.execute()[0]
        return max(0, min(self.block, self.rate - (total - self.block)))
