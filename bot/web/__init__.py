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
        self._view: Any = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._view is None:
            module, _, name = self.target.partition(":")
            self._view = getattr(import_module(module), name)
        return self._view(*args, **kwargs)
