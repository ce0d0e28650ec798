"""Keep a child process running: `liaison serve` restarts its Celery worker
whenever it exits, whatever the status (a worker that lost its broker has
been seen to exit with 0 and never come back). Backoff between restarts."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time

log = logging.getLogger(__name__)


class Supervisor:
    def __init__(self, argv: list[str], name: str, first_delay: float = 1.0, max_delay: float = 30.0,
                 healthy_after: float = 60.0):
        self.argv, self.name = argv, name
        self.first_delay, self.max_delay, self.healthy_after = first_delay, max_delay, healthy_after
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"supervise-{name}", daemon=True)
        # gunicorn forks its web workers from this process; their exit runs serve's
        # `finally` too, and must not stop the worker (only its owner does).
        self.owner = os.getpid()

    def start(self) -> Supervisor:
        self._thread.start()
        return self

    def _run(self) -> None:
        delay = self.first_delay
        while not self._stopping.is_set():
            with self._lock:
                if self._stopping.is_set():
                    return
                # Its own process group: what it leaves behind when killed (the
                # worker's embedded beat) is ended with it, not left running twice.
                self.proc = subprocess.Popen(self.argv, start_new_session=True, preexec_fn=_die_with_parent)
                began = time.monotonic()
            status = self.proc.wait()
            _end_group(self.proc.pid)
            if self._stopping.is_set():
                return
            if time.monotonic() - began > self.healthy_after:
                delay = self.first_delay  # it ran well for a while: restart promptly
            log.error("%s exited with status %s; restarting in %.0f s", self.name, status, delay)
            print(f"{self.name} 已退出（状态 {status}），{delay:.0f} 秒后重新启动。", flush=True)
            if self._stopping.wait(delay):
                return
            delay = min(self.max_delay, delay * 2)
            self.restarts += 1

    def stop(self, timeout: float = 20.0) -> None:
        if os.getpid() != self.owner:
            return
        with self._lock:
            self._stopping.set()
            proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc is not None:
            _end_group(proc.pid)
        self._thread.join(timeout=5)


def _die_with_parent() -> None:
    """In the child: SIGTERM when the supervising thread dies, so a `serve`
    killed outright leaves no worker behind (Linux; elsewhere nothing)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _end_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
