"""Celery settings shared by `liaison serve`, `liaison worker` and `liaison beat`."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery.schedules import crontab


def celery_settings(broker_url: str) -> dict[str, Any]:
    return {
        "broker_url": broker_url,
        "result_backend": None,
        "task_ignore_result": True,
        # A task is acknowledged only once it finished, so a killed worker's task
        # is delivered again; the outbox row keeps the re-run from sending twice.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        # Enqueueing happens in the webhook after the commit: it must fail fast,
        # not hang the request; the outbox sweep sends whatever was not enqueued.
        "broker_transport_options": {"visibility_timeout": 3600, "socket_timeout": 2,
                                     "socket_connect_timeout": 1},
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
        },
    }
