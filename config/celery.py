"""Celery settings shared by `liaison serve`, `liaison worker` and `liaison beat`."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery.schedules import crontab


VISIBILITY_TIMEOUT = 3600
BROADCAST_RUN_SECONDS = 1800  # a broadcast task returns after this; the dispatcher starts the next run
QUARANTINE_AFTER = 3  # starts of one task that never finished (its worker died) before it is set aside


def celery_settings(broker_url: str) -> dict[str, Any]:
    return {
        "broker_url": broker_url,
        "result_backend": None,
        "task_ignore_result": True,
        # At-least-once with idempotent tasks: a task is acknowledged only once it
        # finished, so a killed worker's task is delivered again (the outbox row
        # and the broadcast journal keep a re-run from sending twice); a task
        # interrupted three times is quarantined instead (bot/jobs/celery.py).
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        # One task in hand per worker thread/process: a slow WeChat call holds
        # back only its own push.
        "worker_prefetch_multiplier": 1,
        # The worker reconnects to the broker forever (an outage must not end it).
        "broker_connection_retry_on_startup": True,
        "broker_connection_retry": True,
        "broker_connection_max_retries": None,
        # Enqueueing happens in the webhook after the commit: it must fail fast,
        # not hang the request; the outbox sweep sends whatever was not enqueued.
        "broker_connection_timeout": 1,
        # visibility_timeout: above the longest task (a push: seconds; a broadcast
        # run stops after BROADCAST_RUN_SECONDS and is restarted by the dispatcher),
        # else Redis would hand a running task to a second worker.
        "broker_transport_options": {"visibility_timeout": VISIBILITY_TIMEOUT, "socket_timeout": 2,
                                     "socket_connect_timeout": 1, "max_retries": 0},
        "task_publish_retry": False,
        "timezone": "Asia/Shanghai",
        "enable_utc": True,
        "beat_schedule": {
            "sweep-outbox": {"task": "liaison.sweep_outbox", "schedule": timedelta(seconds=60)},
            # SLA reminders and escalation, read from the database once a working
            # morning (Beijing time); a re-run the same day sends nothing twice.
            "sla-daily": {"task": "liaison.sla_daily", "schedule": crontab(minute=30, hour=8)},
            # Scheduled broadcasts start when due; publicity-day drafts are prefilled yearly.
            "dispatch-broadcasts": {"task": "liaison.dispatch_broadcasts", "schedule": timedelta(seconds=30)},
            "prefill-campaigns": {"task": "liaison.prefill_campaigns", "schedule": crontab(hour=7, minute=0)},
            # Reception reminders, every morning in Beijing time; the job is idempotent.
            "remind-receptions": {"task": "liaison.remind_receptions", "schedule": crontab(hour=8, minute=0)},
            # Personal data past its retention period is overwritten, at night (idempotent).
            "retention": {"task": "liaison.retention", "schedule": crontab(hour=3, minute=30)},
            # The monthly "十个一" nudge: looked at every morning, sent on the month's first
            # working day only (holidays move it); once per deputy per month however often it runs.
            "duty-nudge": {"task": "liaison.duty_nudge", "schedule": crontab(hour=9, minute=0)},
            # Poll votes waiting sealed move into ballots in shuffled batches of 5 or more
            # (bot/models/evaluation.py says why); nothing to do while no poll is open.
            "poll-batch": {"task": "liaison.poll_batch", "schedule": timedelta(seconds=60)},
        },
    }
