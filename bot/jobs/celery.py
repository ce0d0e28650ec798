"""The Celery app, bound to a Flask app so every task runs in its context."""
from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task

from config.celery import QUARANTINE_AFTER, VISIBILITY_TIMEOUT, celery_settings

from ..infra.embedded import celery_broker_url

log = logging.getLogger(__name__)
STARTS = "liaison:task-starts:"  # + task id: runs begun and not finished (a worker died mid-run)
QUARANTINE = "liaison:quarantine"  # task id -> "name args", for staff (`liaison outbox` shows pushes)


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
    app.config_from_object(celery_settings(celery_broker_url(redis_url)))
    app.set_default()
    from celery.signals import worker_process_init

    from . import tasks  # noqa: F401  registers the shared tasks

    def _fresh_pool(**_: Any) -> None:
        # A forked child must not reuse the parent's database connections.
        flask_app.extensions["liaison"].engine.dispose(close=False)

    worker_process_init.connect(_fresh_pool, weak=False)
    return app


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
