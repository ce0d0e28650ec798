"""Background jobs: the Celery app (celery.py), its thin tasks (tasks.py) and
the broadcast sender (sender.py, journal.py).

The job names below are the one list of what can be enqueued. This module
imports nothing, so handlers, services and commands can name a job without
importing Celery. config/celery.py schedules some of them by the same names."""

DELIVER_PUSH = "liaison.deliver_push"
FETCH_MEDIA = "liaison.fetch_media"
SWEEP_OUTBOX = "liaison.sweep_outbox"
SLA_DAILY = "liaison.sla_daily"
REMIND_RECEPTIONS = "liaison.remind_receptions"
SEND_BROADCAST = "liaison.send_broadcast"
DISPATCH_BROADCASTS = "liaison.dispatch_broadcasts"
PREFILL_CAMPAIGNS = "liaison.prefill_campaigns"
RETENTION = "liaison.retention"
DUTY_NUDGE = "liaison.duty_nudge"
POLL_BATCH = "liaison.poll_batch"
# The second look at an unsure category (bot/nlp/refine.py), after the webhook committed the ticket.
REFINE_CATEGORY = "liaison.refine_category"

ALL = (DELIVER_PUSH, FETCH_MEDIA, SWEEP_OUTBOX, SLA_DAILY, REMIND_RECEPTIONS, SEND_BROADCAST,
       DISPATCH_BROADCASTS, PREFILL_CAMPAIGNS, RETENTION, DUTY_NUDGE, POLL_BATCH, REFINE_CATEGORY)
