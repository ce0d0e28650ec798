"""At-least-once work with idempotent tasks: the Celery settings, a webhook
that never waits on a dead broker, and a task that keeps killing its worker
set aside instead of delivered forever."""
from __future__ import annotations

import socket

from sqlalchemy import select

from bot.jobs import DELIVER_PUSH
from bot.jobs.celery import STARTS
from bot.models import OutboundPush, PushStatus
from bot.services.roster.demo import seed
from config.celery import BROADCAST_RUN_SECONDS, QUARANTINE_AFTER, celery_settings
from wechat_user import Phone

VOTER = "oDEMO_voter_04_02"


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: nothing listens there


def pushes(ext) -> list[OutboundPush]:
    with ext.Session() as s:
        return list(s.scalars(select(OutboundPush)))


def test_the_celery_settings_make_work_at_least_once_and_the_worker_reconnect_forever():
    conf = celery_settings("redis://x")
    assert conf["task_acks_late"] and conf["task_reject_on_worker_lost"]
    assert conf["worker_prefetch_multiplier"] == 1
    # Redis hands an unacknowledged task to another worker after this: longer than any run.
    assert conf["broker_transport_options"]["visibility_timeout"] > BROADCAST_RUN_SECONDS
    assert conf["broker_connection_max_retries"] is None and conf["broker_connection_retry_on_startup"]
    # The webhook's enqueue fails at once when the broker is down.
    assert conf["broker_connection_timeout"] <= 1 and conf["task_publish_retry"] is False
    assert conf["broker_transport_options"]["max_retries"] == 0


def test_with_the_broker_down_the_voter_is_answered_and_the_push_waits_for_the_sweep(make_app):
    # Safe mode, as production runs: plaintext mode rightly answers 503 without Redis
    # (its replay check lives there), which is not what this test is about.
    app = make_app(TASK_QUEUE=None, REDIS_URL=f"redis://127.0.0.1:{dead_port()}/0",
                   WECHAT_APP_ID="wxsafe00000000001", WECHAT_APP_SECRET="s3cret", WECHAT_TOKEN="safetoken0123456789",
                   WECHAT_AES_KEY="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
                   WECHAT_API_BASE=f"http://127.0.0.1:{dead_port()}")
    ext = app.extensions["liaison"]
    with ext.Session() as s:
        seed(s, 9)
        s.commit()
    answer = Phone(app, VOTER).says("河边的护栏倒了")
    assert answer.status == 200 and answer.text.startswith("已收到您的意见")
    assert [p.status for p in pushes(ext)] and all(p.status == PushStatus.PENDING for p in pushes(ext))


def test_a_push_whose_task_was_interrupted_three_times_is_quarantined_not_sent(app, ext, demo):
    Phone(app, VOTER).says("河边的护栏倒了")
    push = pushes(ext)[0]
    ext.redis.set(STARTS + "task-1", QUARANTINE_AFTER)  # three starts whose worker died mid-run
    ext.celery.tasks[DELIVER_PUSH].apply(args=[push.id], task_id="task-1")
    with ext.Session() as s:
        kept = s.get(OutboundPush, push.id)
    assert kept.status == PushStatus.UNKNOWN and kept.last_error.startswith("quarantined")
    assert ext.notifier._n == 0  # nothing was sent


def test_a_push_interrupted_fewer_times_is_delivered_and_its_count_dropped(app, ext, demo):
    Phone(app, VOTER).says("河边的护栏倒了")
    push = pushes(ext)[0]
    ext.redis.set(STARTS + "task-2", QUARANTINE_AFTER - 1)
    ext.celery.tasks[DELIVER_PUSH].apply(args=[push.id], task_id="task-2")
    with ext.Session() as s:
        assert s.get(OutboundPush, push.id).status == PushStatus.SENT
    assert not ext.redis.exists(STARTS + "task-2")


def test_a_push_whose_task_is_lost_again_after_the_sweep_is_handed_back_within_minutes(app, ext, demo):
    from bot.jobs import tasks

    ext.clock.value = 1_800_000_000.0
    Phone(app, VOTER).says("河边的护栏倒了")
    ext.queue.items.clear()  # the task never reached a worker
    ext.clock.value += ext.settings["OUTBOX_SWEEP_AFTER"] + 1
    assert tasks.sweep(ext)["requeued"] == 1
    ext.queue.items.clear()  # lost again: held by a worker that was killed (back only after an hour)
    ext.clock.value += 2 * ext.settings["OUTBOX_SWEEP_AFTER"] + 1
    assert tasks.sweep(ext)["requeued"] == 1
    assert ext.queue.items == [(DELIVER_PUSH, (pushes(ext)[0].id,))]
