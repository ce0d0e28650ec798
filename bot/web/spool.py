"""The webhook's spool: a verified message the database could not take is
written here (one fsynced file per delivery key) and answered normally, then
replayed through the same handling path once the database is back. WeChat
gives up after three tries, so without this a database outage loses messages.

The folder holds voters' messages (personal data): 0700, files 0600. A file
is named by a hash of the delivery key, so WeChat's retries overwrite it, and
it is deleted only after its message is committed (or found already stored)."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import asdict
from typing import Any, Callable

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..messages import Inbound

log = logging.getLogger(__name__)

RETRY_SECONDS = 2.0  # how often a web process retries its spool while it is not empty


def unreachable(exc: BaseException) -> bool:
    """The database is down or the connection died: spool, do not fail."""
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def folder(instance_path: str) -> str:
    path = os.path.join(instance_path, "spool")
    os.makedirs(path, mode=0o700, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _name(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest() + ".json"


def store(instance_path: str, msg: Inbound) -> None:
    """Write `msg` durably (file and folder fsynced) or raise OSError."""
    where = folder(instance_path)
    final = os.path.join(where, _name(msg.dedupe_key))
    part = f"{final}.{os.getpid()}.{threading.get_ident()}.part"
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps(asdict(msg), ensure_ascii=False).encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(part, final)
    dfd = os.open(where, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def waiting(instance_path: str) -> list[str]:
    where = os.path.join(instance_path, "spool")
    try:
        names = os.listdir(where)
    except FileNotFoundError:
        return []
    return sorted(os.path.join(where, n) for n in names if n.endswith(".json"))


def replay(instance_path: str, handle: Callable[[Inbound], Any]) -> int:
    """Hand every spooled message to `handle` (which commits it, or finds it
    already stored), oldest first; stop at the first database error. Returns
    how many were settled. Several processes may replay at once: the inbound
    message's unique key keeps each one stored once."""
    files = waiting(instance_path)
    files.sort(key=lambda p: _mtime(p))
    done = 0
    for path in files:
        try:
            with open(path, encoding="utf-8") as fh:
                msg = Inbound(**json.load(fh))
        except FileNotFoundError:
            continue  # another process settled it
        except (ValueError, TypeError):
            log.error("spool: unreadable file %s left for staff", os.path.basename(path))
            os.replace(path, path + ".bad")
            continue
        try:
            handle(msg)
        except Exception as exc:
            if unreachable(exc):
                return done  # still down: try again later
            log.exception("spool: replay of %s failed", os.path.basename(path))
            continue
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        done += 1
    if done:
        log.info("spool: %d message(s) replayed", done)
    return done


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except FileNotFoundError:
        return 0.0


class Replayer:
    """One background thread per web process that replays the spool every
    few seconds until it is empty; woken again by the next spooled message."""

    def __init__(self, instance_path: str, handle: Callable[[Inbound], Any], every: float = RETRY_SECONDS):
        self.instance_path, self.handle, self.every = instance_path, handle, every
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def kick(self) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            self.thread = threading.Thread(target=self._run, name="liaison-spool", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                replay(self.instance_path, self.handle)
            except Exception:  # never let the thread die with messages waiting
                log.exception("spool: replay pass failed")
            with self.lock:
                if not waiting(self.instance_path):
                    self.thread = None
                    return
            time.sleep(self.every)
