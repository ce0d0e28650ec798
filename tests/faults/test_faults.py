"""Nothing is lost, nothing is pushed twice, under faults (issue 16, item 9).

Thousands of distinct messages from many voters reach a production-shaped
Liaison (PostgreSQL, Redis, `liaison serve`: gunicorn and a supervised Celery
worker) at about 20 a second, retried as WeChat does, while in turn: Redis is
killed for 20 s, PostgreSQL is stopped for 20 s, the worker is SIGKILLed, and
the WeChat API fails one call in three and takes 2 s a call. Every message
answered 200 must become exactly one ticket, and every ticket's deputy must
get exactly one push. Run with `pytest -m faults` (CI runs it); private
database and Redis on free ports, never the machine's shared ones.

LIAISON_FAULT_MESSAGES sets the messages per fault (500 by default);
LIAISON_FAULT_LOG names a file to keep `liaison serve`'s log in."""
from __future__ import annotations

import os
import random
import shutil
import tempfile
import threading
import time

import pytest
import tally
from cluster import WORKER_THREADS, FakeApi, Postgres, Redis, Serve, missing
from load import Load, messages
from sqlalchemy import create_engine, select

from bot.fieldseal import FieldCipher
from bot.keys import KeyRing
from bot.models import Voter
from bot.models.base import install_cipher

pytestmark = [pytest.mark.faults, pytest.mark.timeout(2400)]

PER_FAULT = int(os.environ.get("LIAISON_FAULT_MESSAGES", "500"))
RATE = 20.0
OUTAGE = 20.0
DRAIN_SECONDS = 240
TOKEN, APP_ID, SECRET = "faulttoken0123456789", "wxfake", "fakesecret"
SECRET_KEY = "f" * 40
# Safe mode, as production runs: plaintext mode must refuse (503) while Redis is down,
# since its replay check needs Redis, which would turn the Redis phase into refusals.
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@pytest.fixture(scope="module")
def cluster():
    reason = missing()
    if reason:
        pytest.skip(reason)
    base = tempfile.mkdtemp(prefix="liaison-faults-", dir="/tmp")
    os.chmod(base, 0o755)  # PostgreSQL runs as its own user below it
    made = []
    try:
        pg = Postgres(base)
        made.append(pg)
        redis = Redis(base)
        made.append(redis)
        api = FakeApi()
        made.append(api)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
        env.update(PYTHONPATH=os.pathsep.join(p for p in (os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), env.get("PYTHONPATH")) if p),
            LIAISON_DATABASE_URL=pg.url, LIAISON_REDIS_URL=redis.url,
            LIAISON_INSTANCE_PATH=os.path.join(base, "instance"), LIAISON_SECRET_KEY=SECRET_KEY,
            LIAISON_WECHAT_TOKEN=TOKEN, LIAISON_WECHAT_APP_ID=APP_ID, LIAISON_WECHAT_APP_SECRET=SECRET,
            LIAISON_WECHAT_API_BASE=api.url, LIAISON_WECHAT_TEMPLATE_ID="TPL_FAULTS",
            LIAISON_WECHAT_AES_KEY=AES_KEY,
            # Every ticket's own push is counted below, so none is held for a deputy's digest.
            LIAISON_DIGEST_AFTER="0",
            # Hundreds of voters send ~25 messages a second between them: no flood limit here
            # (tests/scenarios/test_floods.py tests it).
            LIAISON_VOTER_RATE_LIMIT="0",
            LIAISON_BURST_SECONDS="0", LIAISON_OUTBOX_SWEEP_AFTER="10", LIAISON_LOG_LEVEL="WARNING")
        serve = Serve(base, env)
        made.append(serve)
        yield pg, redis, api, serve, base
    finally:
        for part in reversed(made):
            part.close()
        if os.environ.get("LIAISON_FAULT_LOG") and os.path.exists(os.path.join(base, "serve.log")):
            shutil.copy(os.path.join(base, "serve.log"), os.environ["LIAISON_FAULT_LOG"])  # to read after a failure
        shutil.rmtree(base, ignore_errors=True)


def outage(stop, start, after: float = 3.0):
    def run():
        time.sleep(after)
        stop()
        time.sleep(OUTAGE)
        start()
    return run


def test_nothing_is_lost_or_pushed_twice_under_faults(cluster, capsys):
    pg, redis, api, serve, base = cluster
    engine = create_engine(pg.url)
    install_cipher(engine, FieldCipher(KeyRing(SECRET_KEY)))  # ticket text is sealed at rest
    with engine.connect() as conn:
        voters = list(conn.scalars(select(Voter.openid).where(Voter.openid.like("oDEMO_voter_%"))))
    assert len(voters) >= 50
    killed = []
    faults = [
        ("Redis killed 20 s", outage(redis.kill, redis.start)),
        ("PostgreSQL stopped 20 s", outage(pg.stop, pg.start)),
        ("worker SIGKILLed", outage(lambda: killed.append(serve.kill_worker()), lambda: None, after=8.0)),
        ("WeChat API: 1 call in 3 fails, 2 s a call", lambda: api.faults(fail_every=3, delay=2.0)),
    ]
    load, rng, phases = Load(serve.url, TOKEN, APP_ID, AES_KEY), random.Random(16), []
    for number, (name, fault) in enumerate(faults, start=1):
        batch = messages(number, PER_FAULT, voters, rng)
        injector = threading.Thread(target=fault)
        injector.start()
        load.run(batch, RATE)
        injector.join()
        phases.append((name, batch))
    drained = tally.drain(engine, [os.path.join(base, "instance")], DRAIN_SECONDS)
    api.faults(0, 0.0)
    snap = tally.snapshot(engine, list(api.fake.sent))
    engine.dispose()

    with open(serve.log.name, encoding="utf-8", errors="replace") as fh:
        restarts = fh.read().count("已退出")
    report = []  # printed past pytest's capture, so CI's log always has the figures
    report.append(f"\nfault test: {PER_FAULT} messages per fault at {RATE:.0f}/s; drained: {drained}; "
                  f"outbox: {snap.outbox}; worker killed: {killed}; worker restarts by serve: {restarts}")
    figures = {name: tally.figures(batch, snap) for name, batch in phases}
    for name, f in figures.items():
        report.append(f"  {name:45s} " + " ".join(f"{k}={v}" for k, v in f.items()))
    with capsys.disabled():
        print("\n".join(report))
    for name, f in figures.items():
        assert (f["lost"], f["duplicated_tickets"], f["duplicated_pushes"], f["missing_deputy_pushes"]) \
            == (0, 0, 0, 0), (name, f)
        assert f["unacknowledged"] == 0 and f["tickets"] == f["acknowledged"], (name, f)
    # Only the killed worker leaves pushes claimed and unsent: at most its threads' worth. They may
    # belong to an earlier phase's tickets (pushes held back by the Redis outage go out late).
    assert sum(f["undelivered_in_doubt"] for f in figures.values()) <= WORKER_THREADS, figures
    assert drained.startswith("in "), drained
    # The faults really happened: the database outage was ridden out by the spool.
    assert any(f["spooled"] for name, f in figures.items() if name.startswith("PostgreSQL")), figures
    assert killed and serve.worker_pid() not in (None, *killed)  # the supervisor started a new worker

