"""The Celery app, bound to a Flask app so every task runs in its context."""
from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task

from config.celery import QUARANTINE_AFTER, VISIBILITY_TIMEOUT, celery_settings
from config.logging import request_id

from ..infra.embedded import celery_broker_url
from .beatlock import LOCK_URL

log = logging.getLogger(__name__)
STARTS = "liaison:task-starts:"  # + task id: runs begun and not finished (a worker died mid-run)
QUARANTINE = "liaison:quarantine"  # task id -> "name args", for staff (`liaison outbox` shows pushes)
REQUEST_ID_HEADER = "request_id"  # the message header naming the HTTP request that enqueued a task


def make_celery(flask_app: Any, redis_url: str) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with flask_app.app_context():
                ext = flask_app.extensions["liaison"]
                started = _begin(ext, self.request.id)
                if started > QUARANTINE_AFTER:
                    _quarantine(ext, self.name, self.request.id, args, started - 1)
                    return None
                try:
                    return self.run(*args, **kwargs)
                finally:  # not reached when the worker is killed: that start stays counted
                    _end(ext, self.request.id)

    app = Celery(flask_app.name, task_cls=FlaskTask)
    app.config_from_object(celery_settings(celery_broker_url(flask_app.config.get("BROKER_URL") or redis_url)))
    # Two beats (two `liaison serve`, or a stray second `liaison beat`) fire each entry once.
    app.conf.beat_scheduler = "bot.jobs.beatlock:LockedScheduler"
    app.conf[LOCK_URL] = redis_url
    app.set_default()
    from celery.signals import worker_process_init

    from . import tasks  # noqa: F401  registers the shared tasks

    def _fresh_pool(**_: Any) -> None:
        # A forked child must not reuse the parent's database connections.
        flask_app.extensions["liaison"].engine.dispose(close=False)

    worker_process_init.connect(_fresh_pool, weak=False)
    _carry_request_ids()
    return app


def _carry_request_ids() -> None:
    """A task enqueued while serving a request (or running a task) carries that
    request's id in its message headers, and the worker's log lines for it show it.
    Signals, so no call site changes; connected once per process (dispatch_uid)."""
    from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

    before_task_publish.connect(_stamp, weak=False, dispatch_uid="liaison-request-id-publish")
    task_prerun.connect(_enter, weak=False, dispatch_uid="liaison-request-id-enter")
    task_postrun.connect(_leave, weak=False, dispatch_uid="liaison-request-id-leave")
    # A receiver here tells Celery to leave logging alone: the app configured it
    # (config/logging.py, LIAISON_LOG_FORMAT) and the worker must not replace it.
    setup_logging.connect(_keep_logging, weak=False, dispatch_uid="liaison-keep-logging")


def _stamp(headers: dict | None = None, **_: Any) -> None:
    rid = request_id.get()
    if headers is not None and rid != "-":
        headers.setdefault(REQUEST_ID_HEADER, rid)


def _enter(task: Any = None, **_: Any) -> None:
    rid = getattr(getattr(task, "request", None), REQUEST_ID_HEADER, None)
    request_id.set(rid if isinstance(rid, str) and rid else "-")


def _leave(**_: Any) -> None:
    request_id.set("-")


def _keep_logging(**_: Any) -> None:
    pass


def _begin(ext: Any, task_id: str | None) -> int:
    """Count this start of the task; the count is dropped when a run ends."""
    if not task_id:
        return 1
    try:
        pipe = ext.redis.pipeline(transaction=False)
        pipe.incr(STARTS + task_id)
        pipe.expire(STARTS + task_id, 2 * VISIBILITY_TIMEOUT)
        return int(pipe.execute()[0])
    except Exception as exc:  # no count without Redis: run the task anyway
        log.warning("task start not counted: %s", type(exc).__name__)
        return 1


def _end(ext: Any, task_id: str | None) -> None:
    if task_id:
        try:
            ext.redis.delete(STARTS + task_id)
        except Exception:
            pass


def _quarantine(ext: Any, name: str, task_id: str, args: tuple, interrupted: int) -> None:
    """A task whose runs were interrupted `interrupted` times (its worker died
    each time) is set aside, not delivered again: it may be what kills them."""
    from . import DELIVER_PUSH
    from .tasks import quarantine_push

    log.error("task %s %s interrupted %d times: quarantined", name, task_id, interrupted)
    try:
        ext.redis.hset(QUARANTINE, task_id, f"{name} {list(args)}"[:300])
    except Exception:
        pass
    if name == DELIVER_PUSH and args:
        quarantine_push(ext, int(args[0]), interrupted)
