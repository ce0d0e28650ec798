"""Broadcast delivery: synthetic voters, two sender workers, a local fake of
WeChat's API. Prints pushes/s and the workers' peak RSS for 10k and 100k
recipients; their RSS ratio is the memory-growth figure (target <= 1.2).

    python bench/broadcast.py                       # PostgreSQL + Redis on 127.0.0.1
    python bench/broadcast.py --voters 20000 --small 2000 --max-seconds 40

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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from bot.migrate import upgrade  # noqa: E402
from bot.models import Base, Broadcast, BroadcastDelivery, Village, Voter  # noqa: E402

WORKER = """
import json, resource, sys, time
from bot import create_app, sender
app = create_app()
with app.app_context():
    started = time.monotonic()
    state = sender.run(app.extensions["liaison"], int(sys.argv[1]), max_seconds=float(sys.argv[2]))
    print(json.dumps({"state": state, "seconds": time.monotonic() - started,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
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
    engine.dispose()


def run_one(url: str, env: dict, targets: dict, workers: int, max_seconds: float) -> dict:
    engine = create_engine(url)
    with engine.begin() as conn:
        bid = conn.execute(insert(Broadcast).returning(Broadcast.id), [{
            "text": "本周六上午乡政府召开村民代表会议，欢迎参加。", "title": "会议通知", "targets": targets,
            "author": "bench", "status": "scheduled", "scheduled_at": datetime.now(timezone.utc),
            "staged_voter_id": 0, "staged_deputy_id": 0, "staged": False, "pause_reason": "",
            "created_at": datetime.now(timezone.utc)}]).scalar_one()
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(bid), str(max_seconds)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, text=True) for _ in range(workers)]
    outs = [json.loads(p.communicate(timeout=max_seconds + 60)[0].strip().splitlines()[-1]) for p in procs]
    elapsed = time.monotonic() - started
    with engine.connect() as conn:
        counts = dict(conn.execute(select(BroadcastDelivery.status, func.count()).where(
            BroadcastDelivery.broadcast_id == bid).group_by(BroadcastDelivery.status)).all())
    engine.dispose()
    sent = counts.get("sent", 0)
    return {"broadcast": bid, "sent": sent, "counts": counts, "seconds": round(elapsed, 2),
            "pushes_per_s": round(sent / elapsed, 1), "peak_rss_mb": round(max(o["rss_mb"] for o in outs), 1),
            "states": [o["state"] for o in outs]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/issue6_bench")
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    ap.add_argument("--voters", type=int, default=100_000)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=10, help="Concurrent sends per worker.")
    ap.add_argument("--rate", type=float, default=5000.0, help="Pushes/s cap per worker.")
    ap.add_argument("--small-seconds", type=float, default=35.0, help="Bound of the small run.")
    ap.add_argument("--max-seconds", type=float, default=60.0, help="Bound of the big run (whole bench ~2 min).")
    args = ap.parse_args()

    port = free_port()
    # The fake WeChat API under gunicorn (keep-alive, a thread per connection).
    fake = subprocess.Popen([sys.executable, "-c", FAKE, str(port)], cwd=ROOT)
    try:
        prepare(args.database_url, args.voters, args.small)
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        env = dict(os.environ, LIAISON_DATABASE_URL=args.database_url, LIAISON_REDIS_URL=args.redis_url,
                   LIAISON_INSTANCE_PATH=tempfile.mkdtemp(), LIAISON_WECHAT_APP_ID="wxfake",
                   LIAISON_WECHAT_APP_SECRET="fakesecret", LIAISON_WECHAT_TOKEN="bench",
                   LIAISON_WECHAT_API_BASE=f"http://127.0.0.1:{port}", LIAISON_WECHAT_TEMPLATE_ID="TPL_BENCH",
                   LIAISON_BROADCAST_RATE=str(args.rate), LIAISON_BROADCAST_ACCOUNT_RATE=str(int(args.rate * args.workers)),
                   LIAISON_BROADCAST_THREADS=str(args.threads),
                   LIAISON_BROADCAST_BATCH="500", LIAISON_LOG_LEVEL="WARNING")
        time.sleep(1.0)  # the fake's port
        small = run_one(args.database_url, env, {"kind": "villages", "codes": ["SMALL"]}, args.workers,
                        args.small_seconds)
        print(f"{args.small:>7} recipients: {small['sent']} sent in {small['seconds']}s = "
              f"{small['pushes_per_s']} pushes/s, peak RSS {small['peak_rss_mb']} MB  {small['states']}")
        big = run_one(args.database_url, env, {"kind": "all", "codes": []}, args.workers, args.max_seconds)
        print(f"{args.voters:>7} recipients: {big['sent']} sent in {big['seconds']}s = "
              f"{big['pushes_per_s']} pushes/s, peak RSS {big['peak_rss_mb']} MB  {big['states']}")
        if small["sent"] < args.small:
            print(f"note: the small run stopped at --small-seconds after {small['sent']} of {args.small}")
        print(f"RSS ratio (big/small): {big['peak_rss_mb'] / small['peak_rss_mb']:.2f}   "
              f"workers: {args.workers}, threads/worker: {args.threads}")
        if big["sent"] < args.voters:
            print(f"note: the big run stopped at --max-seconds after {big['sent']} of {args.voters}; "
                  "its RSS is the peak over the part that ran")
    finally:
        fake.terminate()
        fake.wait(10)


if __name__ == "__main__":
    main()
