"""Entry layer: Flask blueprints and views."""
from __future__ import annotations

from importlib import import_module
from typing import Any


class LazyView:
    """Flask's lazy-loading view pattern: the view's module (for the webhook,
    the whole message-handling stack) is imported on its first request, so
    building the app for a command stays cheap."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.__name__ = target.rpartition(":")[2]
        # Named like the function it stands for (extensions such as Flask-Limiter key on these).
        self.__module__, _, self.__qualname__ = target.partition(":")
        self._view: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._view is None:
            module, _, name = self.target.partition(":")
            self._view = getattr(import_module(module), name)
        return self._view(*args, **kwargs)


def warm(app: Any) -> None:
    """Load what the first voter's message would otherwise wait for: the
    message-handling stack behind the lazy webhook view, and the classifier."""
    from ..nlp import classify
    from . import webhook  # noqa: F401

    with app.app_context():
        classify("你好")
        # Messages spooled while the database was down (by this or an earlier process).
        ext = app.extensions["liaison"]
        from . import spool

        if spool.waiting(ext.settings["INSTANCE_PATH"]):
            webhook.replayer(ext).kick()
