"""The app's shared resources: database engine and sessions, Redis, Celery,
the WeChat gate, client and notifier. Built by create_app, connected lazily."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        from .infra.files import prepare_sqlite

        prepare_sqlite(url)  # the file holds personal data: 0600 before SQLite creates it
        # hide_parameters: SQL errors must not carry voters' message text into logs.
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(conn: Any, _record: Any) -> None:
            cur = conn.cursor()
            # WAL lets the web app read while the worker writes.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            # Overwritten and deleted rows are zeroed on disk, not left in free
            # space: an erased voter's words must not survive in the file.
            cur.execute("PRAGMA secure_delete=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True)


def count_new_tickets(factory: sessionmaker) -> None:
    """Tickets opened, counted for /metrics once their transaction commits,
    wherever they were opened (webhook, console, commands, worker)."""
    from .models import Ticket

    @event.listens_for(factory, "after_flush")
    def _seen(session: Any, _context: Any) -> None:
        new = sum(1 for obj in session.new if isinstance(obj, Ticket))  # still the pre-flush lists here
        if new:
            session.info["new_tickets"] = session.info.get("new_tickets", 0) + new

    @event.listens_for(factory, "after_commit")
    def _committed(session: Any) -> None:
        new = session.info.pop("new_tickets", 0)
        if new:
            from .metering import record  # after the commit: nothing here may undo or fail it

            record("TICKETS_CREATED", "inc", new)

    @event.listens_for(factory, "after_rollback")
    def _dropped(session: Any) -> None:
        session.info.pop("new_tickets", None)


class Liaison:
    def __init__(self, app: Any, make_celery: Callable[[Any, str], Any] | None = None):
        self.app = app
        self.settings = app.config
        self.engine = make_engine(self.settings["DATABASE_URL"])
        # Personal text is sealed at rest with keys from the ring (models/base.py SealedText).
        from .fieldseal import FieldCipher
        from .models.base import install_cipher

        self.cipher = FieldCipher(self.settings["KEYRING"])
        install_cipher(self.engine, self.cipher)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        count_new_tickets(self.Session)
        self.clock: Callable[[], float] = self.settings.get("CLOCK") or time.time
        self._redis: Any = None
        self._celery: Any = None
        # Given by the app factory, so this module needs nothing from bot.jobs
        # (whose tasks use this one).
        self._make_celery = make_celery
        self._notifier: Any = self.settings.get("NOTIFIER")
        self._api: Any = None
        self._gate: Any = None
        if self.sandbox:
            # Loud on purpose: a production start that lands here has lost its WeChat settings.
            log.warning("SANDBOX MODE: no WeChat settings; pushes are recorded, not sent, and the webhook "
                        "answers loopback requests only (its token is the one published in the README)")
        else:
            log.info("live mode: WeChat AppID %s", self.settings["WECHAT_APP_ID"])
        if not self.sandbox and not self.settings.get("WECHAT_AES_KEY"):
            log.warning("WeChat plaintext mode: message bodies are not signed; set LIAISON_WECHAT_AES_KEY "
                        "and switch the account to safe mode (安全模式)")
        # Tests may inject a queue; otherwise follow-ups go to Celery.
        self.queue: Any = self.settings.get("TASK_QUEUE")

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), timezone.utc)

    @property
    def sandbox(self) -> bool:
        return bool(self.settings["SANDBOX"])

    def log_id(self, openid: str) -> str:
        """What logs say instead of an openid (bot/logid.py)."""
        from .logid import log_id

        return log_id(self.settings["KEYRING"], openid)

    @property
    def redis_url(self) -> str:
        if not self.settings.get("REDIS_URL"):
            from .infra.embedded import embedded_redis_url

            self.settings["REDIS_URL"] = embedded_redis_url(self.settings["INSTANCE_PATH"])
        return self.settings["REDIS_URL"]

    @property
    def redis(self) -> Any:
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=1)
        return self._redis

    @property
    def celery(self) -> Any:
        if self._celery is None:
            if self._make_celery is None:
                raise RuntimeError("this app was built without a Celery factory")
            self._celery = self._make_celery(self.app, self.redis_url)
        return self._celery

    @property
    def gate(self) -> Any:
        """Checks and opens webhook requests (imported on first use: wechatpy is heavy)."""
        if self._gate is None:
            from .wechat import Gate

            s = self.settings
            self._gate = Gate(s["WECHAT_TOKEN"], s["WECHAT_APP_ID"], s.get("WECHAT_AES_KEY"),
                              s["TIMESTAMP_WINDOW"], self.clock)
        return self._gate

    @property
    def api(self) -> Any:
        if self._api is None:
            from .wechat import WeChatApi

            s = self.settings
            self._api = WeChatApi(s["WECHAT_APP_ID"], s["WECHAT_APP_SECRET"] or "", s["WECHAT_API_BASE"],
                                  self.redis, timeout=s["WECHAT_TIMEOUT"],
                                  pool=max(16, s["BROADCAST_THREADS"]))
        return self._api

    @property
    def phones(self) -> Any:
        """Encrypts phones at rest with keys derived from SECRET_KEY."""
        from .services.roster.phones import PhoneBox

        return PhoneBox(self.settings["KEYRING"])

    @property
    def notifier(self) -> Any:
        if self._notifier is None:
            from .wechat import SandboxNotifier, WeChatNotifier

            if self.sandbox:
                self._notifier = SandboxNotifier(self.log_id)
            else:
                self._notifier = WeChatNotifier(self.api, self.settings.get("WECHAT_TEMPLATE_ID"))
        return self._notifier

    def notifier_for(self, template_id: str | None) -> Any:
        """The notifier, with a broadcast's own template for closed 48-hour windows."""
        if template_id and self._notifier is None and not self.sandbox:
            from .wechat import WeChatNotifier

            return WeChatNotifier(self.api, template_id)
        if self._notifier is None and not self.sandbox and not self.settings.get("WECHAT_TEMPLATE_ID"):
            log.error("no template message configured (LIAISON_WECHAT_TEMPLATE_ID or the broadcast's template): "
                      "recipients outside the 48-hour window will fail")
        return self.notifier

    @property
    def refiner(self) -> Any:
        """What refines an unsure category in the worker: a test's REFINER, else the shipped one."""
        given = self.settings.get("REFINER")
        if given is not None:
            return given
        from .nlp.refine import get_refiner

        return get_refiner()

    def enqueue(self, name: str, *args: Any) -> None:
        """Hand a follow-up to the workers. Never raises: a push that could not
        be enqueued stays pending in the outbox and the sweep sends it; a
        category refinement is lost (its ticket stays in the triage queue).
        Work done in a session goes through bot.jobs.commit, which calls this
        only once the commit succeeded."""
        try:
            if self.queue is not None:
                self.queue.put(name, args)
            else:
                # retry=False: with the broker down this fails at once (connection
                # timeouts in config/celery.py) instead of holding the webhook.
                self.celery.send_task(name, args=list(args), retry=False)
        except Exception as exc:  # broker down: the outbox sweep recovers
            log.warning("could not enqueue %s: %s", name, type(exc).__name__)


def current() -> Liaison:
    from flask import current_app

    return current_app.extensions["liaison"]
