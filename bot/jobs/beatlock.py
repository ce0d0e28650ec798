"""Beat that two instances can run at once (two `liaison serve`, or a second
`liaison beat` left running): each firing of a schedule entry first claims a
Redis key, the entry's name plus its time slot, with SET NX EX; the scheduler
that loses skips it. A slot is the entry's period (a minute for crontab
entries), so two schedulers firing the same entry within one slot send it
once. Every scheduled task is idempotent besides, so a rare second run (Redis
down: the claim fails open) does nothing twice."""
from __future__ import annotations

import logging
import time
from typing import Any

from celery.beat import PersistentScheduler

log = logging.getLogger(__name__)
PREFIX = "liaison:beat:"
LOCK_URL = "liaison_beat_lock_url"  # the Celery setting naming the Redis that holds the claims


def slot(schedule: Any, now: float) -> tuple[int, int]:
    """(slot number, its length in seconds) of an entry's schedule at `now`:
    an interval entry's period, a minute for crontab and anything else."""
    every = getattr(schedule, "run_every", None)
    seconds = every.total_seconds() if every is not None else 60.0
    period = max(1, int(seconds))
    return int(now // period), period


def claim(redis: Any, name: str, schedule: Any, now: float) -> bool:
    """Whether this scheduler fires `name` now: the first claim of its slot wins."""
    number, period = slot(schedule, now)
    try:
        return bool(redis.set(f"{PREFIX}{name}:{number}", "1", nx=True, ex=max(120, 2 * period)))
    except Exception as exc:  # no Redis, no broker either (the same server): fire; the task is idempotent
        log.warning("beat claim for %s not checked (%s): firing", name, type(exc).__name__)
        return True


class LockedScheduler(PersistentScheduler):
    """Celery's file-backed scheduler, firing an entry only when it wins the slot's claim."""

    _claims: Any = None

    def apply_entry(self, entry: Any, producer: Any = None) -> None:
        if claim(self._redis(), entry.name, entry.schedule, time.time()):
            super().apply_entry(entry, producer=producer)
        else:
            log.info("beat: %s already sent by another scheduler in this slot", entry.name)

    def _redis(self) -> Any:
        if self._claims is None:
            import redis

            self._claims = redis.Redis.from_url(self.app.conf[LOCK_URL], socket_timeout=2,
                                                socket_connect_timeout=1)
        return self._claims
