"""The broadcast sender: stage recipients, then claim, send and record in
batches until nothing is waiting. Called by the Celery task and by
`liaison broadcast send`; the rules (who, what an error means) are in
services/broadcast.py. Memory stays flat: a run holds one batch of ids."""
from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from ..extensions import Liaison
from ..messages import DeliveryError
from ..models import Broadcast, BroadcastStatus, DeliveryStatus
from ..services.broadcasts import broadcast as service
from .journal import RedisJournal, SharedRate

log = logging.getLogger(__name__)
STAGE_CHUNKS = 10  # batches staged per transaction


class Pacer:
    """At most `rate` sends per second from this process (WeChat's per-second limits)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self.lock:
            now = time.monotonic()
            slot = max(self.next, now)
            self.next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


class Settled:
    """Sent outcomes not yet in the journal: each rides along with the next
    "begin" (one Redis command per push, not two). A kill loses at most one
    per sending thread; those rows (delivered) are settled as unknown, never
    resent. Other outcomes are rare and written at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.marks: dict[int, str] = {}

    def add(self, delivery_id: int, outcome: str) -> None:
        with self.lock:
            self.marks[delivery_id] = outcome

    def take(self) -> dict[int, str]:
        with self.lock:
            marks, self.marks = self.marks, {}
        return marks


def send_all(pool: ThreadPoolExecutor, send_one: Any, rows: list, threads: int) -> list:
    """Each pool thread takes rows from one shared iterator until none are
    left: a future per thread, not per push (that bookkeeping cost a tenth
    of a broadcast's CPU)."""
    todo = iter(rows)
    lock = threading.Lock()

    def drain() -> list:
        out = []
        while True:
            with lock:
                row = next(todo, None)
            if row is None:
                return out
            out.append(send_one(row))

    return [r for part in [f.result() for f in [pool.submit(drain) for _ in range(threads)]] for r in part]


def run(ext: Liaison, broadcast_id: int, *, journal: Any = None, token: str | None = None,
        max_seconds: float | None = None) -> str:
    """Send a broadcast as far as it goes; returns its status (done, paused,
    cancelled, scheduled, or sending when max_seconds ran out)."""
    s = ext.settings
    journal = journal or RedisJournal(ext.redis, lease=s["BROADCAST_LEASE"])
    token = token or uuid.uuid4().hex[:16]
    started = time.monotonic()
    with ext.Session() as ses:
        state = service.start(ses, broadcast_id, ext.now())
        ses.commit()
    if state != BroadcastStatus.SENDING:
        return state
    journal.beat(token, broadcast_id)
    more = True
    while more:
        with ext.Session() as ses:
            # INSERT ... SELECT in the database: a bigger chunk costs no memory
            # here, and staging 100k rows takes half the time it did in 500s.
            more = service.stage(ses, broadcast_id, STAGE_CHUNKS * s["BROADCAST_BATCH"])
            ses.commit()
        journal.beat(token, broadcast_id)
    with ext.Session() as ses:
        b = ses.get(Broadcast, broadcast_id)
        msg = service.message(b, ext.now())
        notifier = ext.notifier_for(b.template_id)
    pacer = Pacer(s["BROADCAST_RATE"])  # smooth within this worker
    account = SharedRate(ext.redis, s["BROADCAST_ACCOUNT_RATE"])  # the cap across all workers
    last_beat = [time.monotonic()]
    quota_spent = threading.Event()  # WeChat refuses every call today: send no more of the batch
    settled = Settled()
    from ..metering import record

    def send_one(row: tuple[int, str, int]) -> service.Result:
        delivery_id, openid, attempts = row
        pacer.wait()
        account.wait()
        if quota_spent.is_set():
            return service.Result(delivery_id, "quota", "not sent: daily quota reached")
        if time.monotonic() - last_beat[0] > journal.lease / 3:
            last_beat[0] = time.monotonic()
            journal.beat(token, broadcast_id)
        journal.begin(token, delivery_id, settled.take())
        try:
            res = notifier.send(replace(msg, openid=openid))
            out = service.Result(delivery_id, DeliveryStatus.SENT, channel=res.channel)
        except DeliveryError as err:
            out = service.judge(delivery_id, err, attempts, s["BROADCAST_MAX_ATTEMPTS"])
        except Exception as exc:  # a bug or an outage we did not foresee: retry, bounded
            log.exception("broadcast %s delivery %s: unexpected error", broadcast_id, delivery_id)
            out = service.judge(delivery_id, DeliveryError(type(exc).__name__, retryable=True), attempts,
                                s["BROADCAST_MAX_ATTEMPTS"])
        if out.status == "quota":
            quota_spent.set()
        record("BROADCAST_DELIVERIES", result=str(out.status))
        mark = f"{out.status}|{out.channel or out.reason or ''}"
        if out.status == DeliveryStatus.SENT:
            settled.add(delivery_id, mark)
        else:  # a retry must never be settled as "in flight" (unknown) after a kill
            journal.done(token, {delivery_id: mark})
        return out

    with ThreadPoolExecutor(max_workers=s["BROADCAST_THREADS"]) as pool:
        while True:
            with ext.Session() as ses:
                service.settle_orphans(ses, broadcast_id, journal)
                state = ses.get(Broadcast, broadcast_id).status
                rows = service.claim(ses, broadcast_id, token, ext.now(), s["BROADCAST_BATCH"]) \
                    if state == BroadcastStatus.SENDING else []
                ses.commit()
            if state != BroadcastStatus.SENDING:
                journal.stop(token, broadcast_id)
                return state
            if not rows:
                with ext.Session() as ses:
                    done = service.finish_if_done(ses, broadcast_id, ext.now())
                    due = service.next_due(ses, broadcast_id)
                    ses.commit()
                if done:
                    journal.stop(token, broadcast_id)
                    log.info("broadcast %s done", broadcast_id)
                    return BroadcastStatus.DONE
                if max_seconds is not None and time.monotonic() - started > max_seconds:
                    return BroadcastStatus.SENDING
                # Retries not yet due, or rows held by another (or a dead) sender run.
                wait = 0.2 if due is None else (due - ext.now()).total_seconds()
                journal.beat(token, broadcast_id)
                time.sleep(min(1.0, max(0.01, wait)))
                continue
            journal.beat(token, broadcast_id)
            results = send_all(pool, send_one, rows, s["BROADCAST_THREADS"])
            journal.done(token, settled.take())
            with ext.Session() as ses:
                service.record(ses, broadcast_id, results, ext.now(), s["BROADCAST_BACKOFF"], token=token)
                ses.commit()
            journal.forget(token, [r[0] for r in rows])
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                return BroadcastStatus.SENDING
