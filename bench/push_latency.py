"""Message -> deputy push latency (issue 17, item 2): `liaison serve` (gunicorn
and its supervised Celery worker) on PostgreSQL and a private Redis, the fake
WeChat API, all on this machine. Voters' messages go out at a fixed rate
(open loop: a late answer does not slow the sender), each naming a code; the
fake records when the deputy's push with that code arrives. Latency runs from
the moment a message was due to be sent to the moment its push reached the
fake. Every 10 s the backlog (pushes waiting in the outbox, tasks in the
queue) is sampled, to see whether it grows.

    python bench/push_latency.py --rate 200 --seconds 300
    python bench/push_latency.py --rate 50 --seconds 60 --threads 8

Each message opens a ticket of its own and gets its own push: the burst
window, the voters' flood limit and the deputies' digest are off, as in the
fault test. Needs PostgreSQL on 127.0.0.1:5432 and redis-server on PATH.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from serving import Server, admin_database, private_redis  # bench/serving.py, beside this script
from sqlalchemy import create_engine, func, select

from bot.models import OutboundPush
from bot.wechat import Gate
from bot.wechat.simulator import signed_request, text_xml

TOKEN, APP_ID, AES = "benchtoken0123456789", "wxfake", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
MATTERS = ["村里自来水停了三天了", "村口的路灯坏了一个多月没人管", "垃圾堆在河边没人清理", "玉米补贴还没发下来",
           "村里的桥栏杆断了很危险", "校车太挤了希望多开一班"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0, help="messages a second")
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--drain", type=int, default=120, help="seconds to wait for the last pushes")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads of `liaison serve`")
    parser.add_argument("--concurrency", type=int, default=16, help="worker threads of `liaison serve`")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="liaison-push-")
    redis_server, parts = private_redis(work), []
    try:
        db = admin_database("liaison_push_bench")
        api = Server.fake_wechat(work, APP_ID)
        parts.append(api)
        serve = Server.liaison_serve(work, dict(
            LIAISON_DATABASE_URL=db, LIAISON_REDIS_URL=redis_server.url(0), LIAISON_WECHAT_TOKEN=TOKEN,
            LIAISON_WECHAT_AES_KEY=AES, LIAISON_WECHAT_APP_ID=APP_ID, LIAISON_WECHAT_APP_SECRET="fakesecret",
            LIAISON_WECHAT_API_BASE=api.url, LIAISON_WECHAT_TEMPLATE_ID="TPL_BENCH", LIAISON_SECRET_KEY="q" * 40,
            LIAISON_LOG_LEVEL="WARNING", LIAISON_BURST_SECONDS="0", LIAISON_VOTER_RATE_LIMIT="0",
            LIAISON_DIGEST_AFTER="0"), threads=args.threads, concurrency=args.concurrency)
        parts.append(serve)
        engine = create_engine(db)
        voters = [f"oDEMO_voter_{g:02d}_{v:02d}" for g in range(1, 19) for v in range(1, 11)]  # bound by the seed
        print(f"liaison serve: {args.threads} web threads, {args.concurrency} worker threads; "
              f"{args.rate:.0f} msg/s for {args.seconds} s; {len(voters)} demo voters", flush=True)
        sent, answered, backlog = run(serve.url, voters, args, engine)
        pushes = _wait_for_pushes(api.url, sent, args.drain)
        report(sent, answered, pushes, backlog, args)
        engine.dispose()
    finally:
        for part in reversed(parts):
            part.stop()
        redis_server.stop()
        shutil.rmtree(work, ignore_errors=True)


def run(url: str, voters: list[str], args: argparse.Namespace, engine) -> tuple[dict, dict, list]:
    gate, local = Gate(TOKEN, APP_ID, AES), threading.local()
    total = int(args.rate * args.seconds)
    sent: dict[str, float] = {}  # code -> when it was due
    answered: dict[str, tuple[int, float, float]] = {}  # code -> (HTTP status, sent at, answered at)
    start = time.time() + 1.0

    def one(i: int) -> None:
        http = getattr(local, "http", None) or setattr(local, "http", requests.Session()) or local.http
        due = start + i / args.rate
        time.sleep(max(0.0, due - time.time()))
        code = f"B{i:07d}"
        now = int(time.time())
        query, body = signed_request(gate, text_xml(voters[i % len(voters)], f"{code} {MATTERS[i % len(MATTERS)]}",
                                                    7 * 10**15 + i, now), now)
        sent[code], began = due, time.time()
        try:
            status = http.post(url + "/wechat", params=query, data=body, timeout=10).status_code
        except requests.RequestException:
            status = 0
        answered[code] = (status, began, time.time())

    backlog, stop = [], threading.Event()

    def sample() -> None:
        while not stop.wait(10):
            with engine.connect() as conn:
                waiting = conn.scalar(select(func.count()).where(OutboundPush.status == "pending"))
            backlog.append((round(time.time() - start), waiting))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    with ThreadPoolExecutor(max_workers=max(16, int(args.rate))) as pool:
        list(pool.map(one, range(total)))
    stop.set()
    return sent, answered, backlog


def _wait_for_pushes(api: str, sent: dict, drain: int) -> dict[str, float]:
    deadline, pushes = time.time() + drain, {}
    while time.time() < deadline:
        for record in requests.get(api + "/_fake/sent", timeout=30).json()["sent"]:
            text = (record.get("text") or {}).get("content") or " ".join(
                str(v.get("value", "")) for v in (record.get("data") or {}).values())
            found = re.search(r"B\d{7}", text)
            if found and found.group(0) in sent:
                pushes.setdefault(found.group(0), record["at"])
        if len(pushes) >= len(sent):
            break
        time.sleep(3)
    return pushes


def report(sent: dict, answered: dict, pushes: dict, backlog: list, args: argparse.Namespace) -> None:
    ok = sum(1 for s, _, _ in answered.values() if s == 200)
    lat = sorted(pushes[c] - sent[c] for c in pushes)
    late = sorted(b - sent[c] for c, (_, b, _) in answered.items())
    web = sorted(e - b for _, b, e in answered.values())
    span = max(e for _, _, e in answered.values()) - min(sent.values())
    print(f"sent {len(sent)} in {span:.0f} s ({len(sent) / span:.1f}/s answered), answered 200: {ok}, "
          f"pushed: {len(pushes)}")
    print(f"webhook answer: p50 {1000 * statistics.median(web):.0f} ms, p95 {1000 * web[int(0.95 * len(web))]:.0f} ms;"
          f" sender behind schedule: p50 {statistics.median(late):.2f} s, max {late[-1]:.2f} s "
          "(behind: the webhook could not keep up with the rate)")
    if lat:
        q = statistics.quantiles(lat, n=100)
        print(f"message -> deputy push: p50 {q[49]:.3f} s, p95 {q[94]:.3f} s, p99 {q[98]:.3f} s, max {lat[-1]:.3f} s")
    print("outbox pending every 10 s: " + ", ".join(f"{t}s:{n}" for t, n in backlog))


if __name__ == "__main__":
    main()
