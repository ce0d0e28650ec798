"""Broadcast delivery: synthetic voters, two sender workers, a local fake of
WeChat's API. Prints pushes/s and the workers' peak RSS for 10k and 100k
recipients; their RSS ratio is the memory-growth figure (target <= 1.2).

    python bench/broadcast.py                       # PostgreSQL + Redis on 127.0.0.1
    python bench/broadcast.py --voters 20000 --small 2000 --max-seconds 40
    python bench/broadcast.py --fake flask          # the tests' Flask fake instead
    python bench/broadcast.py --latency 30 --threads 40   # 30 ms round trips to the API

pushes/s counts from when the workers are ready (app built) to the last
delivery recorded; the wall time including interpreter start is printed
beside it. CPU per push is printed for the workers and for the fake, which
shares the machine here but not in production. The fake's own count of
messages and distinct recipients checks that nobody got two copies.

It (re)creates the database given by --database-url (default issue6_bench) and
uses Redis db 10. Traffic stays on 127.0.0.1; every run is bounded by --max-seconds.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from bot.infra.migrate import upgrade  # noqa: E402
from bot.models import Base, Broadcast, BroadcastDelivery, Village, Voter  # noqa: E402

WORKER = """
import json, resource, sys, time
from bot import create_app, sender
app = create_app()
with app.app_context():
    ready, cpu = time.time(), sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    state = sender.run(app.extensions["liaison"], int(sys.argv[1]), max_seconds=float(sys.argv[2]))
    use = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"state": state, "ready": ready, "end": time.time(), "cpu": use[0] + use[1] - cpu,
                      "rss_mb": use.ru_maxrss / 1024}))
"""


FAKE = """
import sys
from gunicorn.app.base import BaseApplication
from bot.devtools.fake_wechat import FakeWeChat

class Fake(BaseApplication):
    def load_config(self):
        self.cfg.set("bind", "127.0.0.1:" + sys.argv[1])
        self.cfg.set("workers", 1)  # one process: the fake keeps its tokens in memory
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", 48)
        self.cfg.set("keepalive", 30)
        self.cfg.set("loglevel", "warning")

    def load(self):
        return FakeWeChat("wxfake", "fakesecret").app()

Fake().run()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str, voters: int, small: int) -> None:
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT") \
        if url.startswith("postgresql") else None
    if admin is not None:
        name = url.rsplit("/", 1)[1]
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(insert(Village), [{"code": "SMALL", "name": "小村"}, {"code": "BIG", "name": "大村"}])
        ids = dict(conn.execute(select(Village.code, Village.id)).all())
        for start in range(0, voters, 10000):
            conn.execute(insert(Voter), [{"openid": f"oBENCH_{i:07d}", "subscribed": True, "created_at": now,
                                          "village_id": ids["SMALL" if i < small else "BIG"]}
                                         for i in range(start, min(voters, start + 10000))])
    if url.startswith("postgresql"):  # as after any bulk load: without statistics the first plans are poor
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    engine.dispose()


def cpu_seconds(pid: int) -> float:
    import psutil

    proc = psutil.Process(pid)
    return sum(sum(p.cpu_times()[:2]) for p in [proc] + proc.children(recursive=True))


def fake_stats(port: int, reset: bool = False) -> dict:
    """The lean fake's counts since the last reset; {} from the Flask fake."""
    import requests

    try:
        if reset:
            requests.post(f"http://127.0.0.1:{port}/_fake/reset", timeout=5)
        return requests.get(f"http://127.0.0.1:{port}/_fake/stats", timeout=5).json()
    except ValueError:
        return {}


def run_one(url: str, env: dict, targets: dict, workers: int, max_seconds: float, fake: Any) -> dict:
    engine = create_engine(url)
    with engine.begin() as conn:
        bid = conn.execute(insert(Broadcast).returning(Broadcast.id), [{
            "text": "本周六上午乡政府召开村民代表会议，欢迎参加。", "title": "会议通知", "targets": targets,
            "author": "bench", "status": "scheduled", "scheduled_at": datetime.now(timezone.utc),
            "staged_voter_id": 0, "staged_deputy_id": 0, "staged": False, "pause_reason": "",
            "created_at": datetime.now(timezone.utc)}]).scalar_one()
    fake_cpu, before = cpu_seconds(fake.pid), fake_stats(fake.port, reset=True)
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(bid), str(max_seconds)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True) for _ in range(workers)]
    outs = [json.loads(p.communicate(timeout=max_seconds + 60)[0].strip().splitlines()[-1]) for p in procs]
    elapsed = time.monotonic() - started
    fake_cpu, after = cpu_seconds(fake.pid) - fake_cpu, fake_stats(fake.port)
    with engine.connect() as conn:
        counts = dict(conn.execute(select(BroadcastDelivery.status, func.count()).where(
            BroadcastDelivery.broadcast_id == bid).group_by(BroadcastDelivery.status)).all())
    engine.dispose()
    sent = counts.get("sent", 0)
    span = max(o["end"] for o in outs) - min(o["ready"] for o in outs)
    received = {k: after.get(k, 0) - before.get(k, 0) for k in ("sent", "distinct")} if after else {}
    return {"broadcast": bid, "sent": sent, "counts": counts, "wall": round(elapsed, 2), "seconds": round(span, 2),
            "pushes_per_s": round(sent / span, 1), "wall_per_s": round(sent / elapsed, 1),
            "peak_rss_mb": round(max(o["rss_mb"] for o in outs), 1), "states": [o["state"] for o in outs],
            "worker_ms": round(1000 * sum(o["cpu"] for o in outs) / max(sent, 1), 3),
            "fake_ms": round(1000 * fake_cpu / max(sent, 1), 3), "received": received}


def report(n: int, r: dict) -> None:
    print(f"{n:>7} recipients: {r['sent']} sent in {r['seconds']}s = {r['pushes_per_s']} pushes/s "
          f"(wall incl. start {r['wall']}s = {r['wall_per_s']}/s), peak RSS {r['peak_rss_mb']} MB, "
          f"CPU per push: workers {r['worker_ms']} ms, fake API {r['fake_ms']} ms  {r['states']}")
    if r["received"]:
        print(f"{'':>7}   the fake received {r['received']['sent']} messages for "
              f"{r['received']['distinct']} distinct recipients")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/issue6_bench")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    ap.add_argument("--voters", type=int, default=100_000)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=8, help="Concurrent sends per worker.")
    ap.add_argument("--rate", type=float, default=5000.0, help="Pushes/s cap per worker.")
    ap.add_argument("--small-seconds", type=float, default=35.0, help="Bound of the small run.")
    ap.add_argument("--max-seconds", type=float, default=60.0, help="Bound of the big run (whole bench ~2 min).")
    ap.add_argument("--fake", choices=("lean", "flask"), default="lean",
                    help="lean: bench/fake_api.py (asyncio); flask: the tests' fake under gunicorn.")
    ap.add_argument("--latency", type=float, default=0.0,
                    help="ms the lean fake waits before answering a message (WeChat's round trip).")
    args = ap.parse_args()

    port = free_port()
    if args.fake == "lean":
        fake = subprocess.Popen([sys.executable, os.path.join(ROOT, "bench", "fake_api.py"), str(port),
                                 str(args.latency)], cwd=ROOT)
    else:  # the tests' fake under gunicorn (keep-alive, a thread per connection)
        fake = subprocess.Popen([sys.executable, "-c", FAKE, str(port)], cwd=ROOT)
    fake.port = port  # type: ignore[attr-defined]
    try:
        prepare(args.database_url, args.voters, args.small)
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        env = dict(os.environ, LIAISON_DATABASE_URL=args.database_url, LIAISON_REDIS_URL=args.redis_url,
                   LIAISON_INSTANCE_PATH=tempfile.mkdtemp(), LIAISON_WECHAT_APP_ID="wxfake",
                   LIAISON_WECHAT_APP_SECRET="fakesecret", LIAISON_WECHAT_TOKEN="bench0123456789abcdef",
                   LIAISON_WECHAT_API_BASE=f"http://127.0.0.1:{port}", LIAISON_WECHAT_TEMPLATE_ID="TPL_BENCH",
                   LIAISON_BROADCAST_RATE=str(args.rate), LIAISON_BROADCAST_ACCOUNT_RATE=str(int(args.rate * args.workers)),
                   LIAISON_BROADCAST_THREADS=str(args.threads),
                   LIAISON_BROADCAST_BATCH="500", LIAISON_LOG_LEVEL="WARNING")
        time.sleep(1.0)  # the fake's port
        small = run_one(args.database_url, env, {"kind": "villages", "codes": ["SMALL"]}, args.workers,
                        args.small_seconds, fake)
        report(args.small, small)
        big = run_one(args.database_url, env, {"kind": "all", "codes": []}, args.workers, args.max_seconds, fake)
        report(args.voters, big)
        if small["sent"] < args.small:
            print(f"note: the small run stopped at --small-seconds after {small['sent']} of {args.small}")
        print(f"RSS ratio (big/small): {big['peak_rss_mb'] / small['peak_rss_mb']:.2f}   "
              f"workers: {args.workers}, threads/worker: {args.threads}, fake: {args.fake}, "
              f"API latency: {args.latency:g} ms")
        if big["sent"] < args.voters:
            print(f"note: the big run stopped at --max-seconds after {big['sent']} of {args.voters}; "
                  "its RSS is the peak over the part that ran")
    finally:
        fake.terminate()
        fake.wait(10)


if __name__ == "__main__":
    main()
