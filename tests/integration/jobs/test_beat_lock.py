"""Two beat schedulers (two `liaison serve`, or a stray second `liaison beat`)
send each due schedule entry once: the first to claim the entry's time slot in
Redis sends it, the other skips it."""
from __future__ import annotations

import json
from datetime import timedelta

from celery.schedules import crontab

from bot.jobs.beatlock import LockedScheduler, claim, slot
from config.celery import celery_settings


def queued(ext) -> list[str]:
    """Task names waiting in the broker's default queue."""
    return [json.loads(raw)["headers"]["task"] for raw in ext.redis.lrange("celery", 0, -1)]


def scheduler(ext, tmp_path, name: str) -> LockedScheduler:
    return LockedScheduler(app=ext.celery, schedule_filename=str(tmp_path / name), lazy=True)


def test_two_schedulers_send_each_due_entry_once(make_app, tmp_path):
    ext = make_app(TASK_QUEUE=None).extensions["liaison"]
    ext.redis.delete("celery")
    first, second = scheduler(ext, tmp_path, "a"), scheduler(ext, tmp_path, "b")
    for beat in (first, second):
        beat.setup_schedule()
    names = sorted(first.schedule)
    assert set(celery_settings("redis://x")["beat_schedule"]) <= set(names)

    for beat in (first, second):  # both find every entry due at the same moment
        with ext.celery.producer_or_acquire() as producer:
            for name in names:
                beat.apply_entry(beat.schedule[name], producer=producer)

    sent = queued(ext)
    assert sorted(sent) == sorted(first.schedule[n].task for n in names)  # each once
    ext.redis.delete("celery")
    for beat in (first, second):
        beat.close()


def test_the_next_slot_fires_again():
    class FakeRedis:
        def __init__(self):
            self.keys = {}

        def set(self, key, value, nx=False, ex=None):
            if nx and key in self.keys:
                return None
            self.keys[key] = value
            return True

    redis, every_minute = FakeRedis(), timedelta(seconds=60)
    from celery.schedules import schedule

    entry = schedule(every_minute)
    assert claim(redis, "sweep-outbox", entry, 1_000_020.0)
    assert not claim(redis, "sweep-outbox", entry, 1_000_050.0)  # the other beat, same minute
    assert claim(redis, "sweep-outbox", entry, 1_000_085.0)  # the next minute
    assert claim(redis, "poll-batch", entry, 1_000_050.0)  # another entry has its own claims


def test_slots_are_an_intervals_period_and_a_minute_for_crontab():
    from celery.schedules import schedule

    assert slot(schedule(timedelta(seconds=30)), 95.0) == (3, 30)
    assert slot(crontab(minute=30, hour=8), 125.0) == (2, 60)


def test_a_claim_that_cannot_reach_redis_fires_rather_than_skips():
    class DownRedis:
        def set(self, *args, **kwargs):
            raise ConnectionError("redis down")

    from celery.schedules import schedule

    assert claim(DownRedis(), "sla-daily", schedule(timedelta(seconds=60)), 0.0)


def test_the_app_uses_the_locked_scheduler(make_app):
    ext = make_app().extensions["liaison"]
    assert ext.celery.conf.beat_scheduler == "bot.jobs.beatlock:LockedScheduler"
