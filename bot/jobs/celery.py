"""The Celery app, bound to a Flask app so every task runs in its context."""
from __future__ import annotations

from typing import Any

from celery import Celery, Task

from config.celery import celery_settings

from ..infra.embedded import celery_broker_url


def make_celery(flask_app: Any, redis_url: str) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with flask_app.app_context():
                return self.run(*args, **kwargs)

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
