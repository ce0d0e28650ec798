"""The processes of a production-shaped Liaison for the fault test: a private
PostgreSQL and Redis (on free ports, in a temporary folder: never the
machine's shared ones), `liaison serve` (gunicorn + the supervised Celery
worker and beat) and the fake WeChat API with fault injection."""
from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import requests
from werkzeug.serving import make_server

from bot.devtools.fake_wechat import FakeWeChat

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

WORKER_THREADS = 32  # the worker's --concurrency: the most pushes a kill can leave in doubt


def pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(found[-1]) if found else None


def missing() -> str | None:
    """Why the fault test cannot run here, or None."""
    if pg_bin() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "runuser is needed to run PostgreSQL as the postgres user"
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up within {seconds} s")


class Postgres:
    """`host` is the one address it listens on; `prefix` runs its programs
    elsewhere (tests/hosts: `ip netns exec NAME`)."""

    def __init__(self, base: str, host: str = "127.0.0.1", prefix: tuple[str, ...] = ()):
        self.bin, self.port, self.host, self.prefix = pg_bin(), free_port(), host, list(prefix)
        self.data, self.sock = os.path.join(base, "pg"), os.path.join(base, "pgsock")
        self.log = os.path.join(base, "pg.log")
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        for path in (self.data, self.sock):
            os.makedirs(path, exist_ok=True)
        open(self.log, "a").close()
        if self.as_postgres:
            for path in (self.data, self.sock, self.log):
                shutil.chown(path, "postgres", "postgres")
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        if host != "127.0.0.1":  # initdb trusts loopback only; let in the hosts on this one's network
            with open(os.path.join(self.data, "pg_hba.conf"), "a") as hba:
                hba.write("host all all samenet trust\n")
        self.start()
        self._run("createdb", "-h", host, "-p", str(self.port), "-U", "postgres", "liaison")
        self.url = f"postgresql+psycopg://postgres@{host}:{self.port}/liaison"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.prefix, *self.as_postgres, os.path.join(self.bin, tool), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.sock} -c listen_addresses={self.host} -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", opts, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def close(self) -> None:
        try:
            self.stop()
        except Exception:
            pass


class Redis:
    def __init__(self, base: str, host: str = "127.0.0.1", prefix: tuple[str, ...] = ()):
        self.port, self.dir, self.host, self.prefix = free_port(), os.path.join(base, "redis"), host, list(prefix)
        os.makedirs(self.dir, exist_ok=True)
        self.url = f"redis://{host}:{self.port}/0"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        # Persistent like docker-compose's Redis: a kill loses no queued task.
        self.proc = subprocess.Popen(
            [*self.prefix, "redis-server", "--port", str(self.port), "--bind", self.host, "--dir", self.dir,
             "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             # Off the loopback, no password: protected mode would refuse every other host.
             *(["--protected-mode", "no"] if self.host != "127.0.0.1" else [])], stdout=subprocess.DEVNULL)
        import redis

        wait_for(lambda: redis.Redis(self.host, self.port, socket_timeout=1).ping(), 20, "redis")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def close(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.kill()


class FakeApi:
    def __init__(self):
        self.fake = FakeWeChat()
        self.server = make_server("127.0.0.1", 0, self.fake.app(), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def faults(self, fail_every: int, delay: float) -> None:
        with self.fake.lock:
            self.fake.fail_every, self.fake.delay = fail_every, delay

    def close(self) -> None:
        self.server.shutdown()


class Serve:
    """`liaison serve` in its own session, so the whole tree can be ended at once."""

    def __init__(self, base: str, env: dict[str, str]):
        self.base, self.env, self.port = base, env, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(base, "serve.log"), "w")
        self.liaison("demo", "seed")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(self.port), "--threads", "16",
             "--concurrency", str(WORKER_THREADS)], cwd=base, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        wait_for(lambda: requests.get(self.url + "/readyz", timeout=2).status_code == 200, 90, "liaison serve")
        wait_for(lambda: self.worker_pid() is not None, 60, "the Celery worker")

    def liaison(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=self.base, env=self.env, check=True,
                       capture_output=True, timeout=120)

    def children(self, pid: int) -> list[int]:
        found = []
        for task in glob.glob(f"/proc/{pid}/task/*/children"):
            try:
                found += [int(p) for p in open(task).read().split()]
            except OSError:
                pass
        return found

    def worker_pid(self) -> int | None:
        for pid in self.children(self.proc.pid):
            try:
                cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")
            except OSError:
                continue
            if b"worker" in cmd:
                return pid
        return None

    def kill_worker(self) -> int:
        """SIGKILL the worker alone, as the OOM killer would (its embedded beat is
        left for serve's supervisor to end)."""
        pid = self.worker_pid()
        os.kill(pid, signal.SIGKILL)
        return pid

    def close(self) -> None:
        worker = self.worker_pid()  # in a process group of its own (the supervisor's)
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        for group in (self.proc.pid, worker):
            try:
                if group:
                    os.killpg(group, signal.SIGKILL)  # anything left behind
            except ProcessLookupError:
                pass
        self.log.close()
