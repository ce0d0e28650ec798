"""Servers for the benchmarks: a private Redis, a fresh PostgreSQL database,
gunicorn running the reference or Liaison's web app, Liaison's worker and the
fake WeChat API. Everything listens on 127.0.0.1 and is stopped by the caller."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
PG_ADMIN = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


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
    raise SystemExit(f"{what} did not start within {seconds:.0f} s")


def admin_database(name: str) -> str:
    """A new, empty database `name` on the benchmark PostgreSQL; its URL."""
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


class private_redis:
    """redis-server on a free port, nothing on disk."""

    def __init__(self, work: str) -> None:
        import redis

        self.port = free_port()
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", work], stdout=subprocess.DEVNULL)
        wait_for(lambda: redis.Redis(port=self.port, socket_timeout=1).ping(), 20, "redis-server")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


class Server:
    """A process group listening on 127.0.0.1 (killed as a group)."""

    def __init__(self, name: str, work: str, argv: list[str], env: dict[str, str], cwd: str, ready: str) -> None:
        self.name, self.env, self.work = name, env, work
        self.log = open(os.path.join(work, f"{name}.log"), "w")
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.url = "/".join(ready.split("/")[:3])
        wait_for(lambda: requests.get(ready, timeout=2).status_code < 500, 90, name)

    @staticmethod
    def environment(extra: dict[str, str]) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
        env.update(PYTHONPATH=ROOT, **extra)
        return env

    @classmethod
    def gunicorn(cls, name: str, work: str, app: str, extra: dict[str, str], chdir: str, workers: int = 2,
                 worker_class: str = "sync", threads: int = 1, conf: list[str] | None = None,
                 ready: str = "/hello") -> Server:
        port = free_port()
        argv = [sys.executable, "-m", "gunicorn", *(conf or []), "--bind", f"127.0.0.1:{port}", "--workers",
                str(workers), "--worker-class", worker_class, "--threads", str(threads), "--timeout", "60", app]
        return cls(name, work, argv, cls.environment(extra), chdir, f"http://127.0.0.1:{port}{ready}")

    @classmethod
    def liaison_web(cls, name: str, work: str, extra: dict[str, str], workers: int = 2, worker_class: str = "sync",
                    threads: int = 1, seed: bool = True) -> Server:
        """gunicorn with the app factory, as the Dockerfile runs it (after `demo seed`, unless told not to:
        several servers may share one database)."""
        extra = dict(extra, LIAISON_INSTANCE_PATH=os.path.join(work, "instance"))
        if seed:
            subprocess.run([sys.executable, "-m", "bot.cli", "demo", "seed"], cwd=work, env=cls.environment(extra),
                           check=True, capture_output=True)
        server = cls.gunicorn(name, work, "bot:create_app()", extra, work, workers, worker_class, threads,
                              conf=["--config", "python:bot.web.gunicorn_conf"], ready="/healthz")
        return server

    @classmethod
    def liaison_serve(cls, work: str, extra: dict[str, str], threads: int = 8, concurrency: int = 16) -> Server:
        """`liaison serve` (gunicorn and a supervised Celery worker with beat) after `demo seed`."""
        extra = dict(extra, LIAISON_INSTANCE_PATH=os.path.join(work, "instance"))
        env = cls.environment(extra)
        subprocess.run([sys.executable, "-m", "bot.cli", "demo", "seed"], cwd=work, env=env, check=True,
                       capture_output=True)
        port = free_port()
        argv = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port), "--threads", str(threads),
                "--concurrency", str(concurrency)]
        return cls("serve", work, argv, env, work, f"http://127.0.0.1:{port}/readyz")

    @classmethod
    def fake_wechat(cls, work: str, app_id: str) -> Server:
        """The local fake of WeChat's API (tokens, QR codes, custom and template messages)."""
        port = free_port()
        argv = [sys.executable, "-m", "bot.cli", "fake-wechat", "--port", str(port), "--app-id", app_id]
        return cls("fake-wechat", work, argv, cls.environment({}), work,
                   f"http://127.0.0.1:{port}/cgi-bin/token?grant_type=client_credential")

    def liaison(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=self.work, env=self.env,
                              capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"liaison {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def count_tickets(self) -> int:
        out = self.liaison("status", "--json")
        import json

        return json.loads(out).get("tickets", -1)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()
