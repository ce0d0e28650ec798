"""Webhook throughput and latency: distinct encrypted voter messages against a
running server; prints messages/s and p50/p99 latency.

    # against a server you started (same token / AES key / app id as below):
    python bench/webhook.py --url http://127.0.0.1:8000 --token T --aes-key K --app-id A
    # or let it start `liaison serve` itself, on the embedded default and on PostgreSQL + Redis:
    python bench/webhook.py --spawn embedded --spawn postgres

Traffic goes to 127.0.0.1 only; every run is bounded by --messages and --max-seconds.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Callable

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from serving import admin_database, free_port  # noqa: E402  bench/serving.py, beside this script

from bot.wechat import Gate  # noqa: E402
from bot.wechat.simulator import read_reply, signed_request, text_xml  # noqa: E402

TEXTS = ["村里自来水停了三天了", "路灯坏了一个月没人修", "低保怎么申请", "村口的桥栏杆断了", "垃圾好几天没人清运",
         "孩子上学的校车太挤", "玉米补贴还没发下来", "邻居占了我家宅基地"]
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TOKEN, APP_ID = "benchtoken0123456789", "wxfake"


def demo_voter(i: int) -> str:
    return f"oDEMO_voter_{i % 18 + 1:02d}_{i // 18 % 10 + 1:02d}"


def drive(url: str, gate: Gate, messages: int, concurrency: int, max_seconds: float,
          sender: Callable[[int], str] = demo_voter, first: int = 0) -> dict:
    """Send messages first .. first+messages-1 (message i from sender(i)); each has its own MsgId."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=concurrency, pool_maxsize=concurrency)
    session.mount("http://", adapter)
    deadline = time.monotonic() + max_seconds

    def one(i: int) -> tuple[float, bool]:
        if time.monotonic() > deadline:
            return -1.0, False
        openid = sender(i)
        now = int(time.time())
        query, body = signed_request(gate, text_xml(openid, TEXTS[i % len(TEXTS)], 10**12 + i, now), now)
        start = time.perf_counter()
        res = session.post(url + "/wechat", params=query, data=body, timeout=10)
        took = time.perf_counter() - start
        ok = res.status_code == 200 and bool(read_reply(gate, res.text))
        return took, ok

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(first, first + messages)))
    elapsed = time.perf_counter() - started
    done = [t for t, _ in results if t >= 0]
    lat = sorted(done)
    return {
        "sent": len(done), "ok": sum(1 for t, ok in results if ok and t >= 0), "seconds": elapsed,
        "per_second": len(done) / elapsed if elapsed else 0.0,
        "p50_ms": 1000 * statistics.median(lat) if lat else 0.0,
        "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else 0.0,
    }


def _postgres_url() -> str:
    return admin_database("liaison_bench")


def spawn(kind: str, args: argparse.Namespace) -> dict:
    workdir = tempfile.mkdtemp(prefix=f"liaison-bench-{kind}-")
    env = live_env()
    if kind == "postgres":
        env.update(LIAISON_DATABASE_URL=_postgres_url(), LIAISON_REDIS_URL="redis://127.0.0.1:6379/14")
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/14").flushdb()
    subprocess.run(CLI + ["demo", "seed"], cwd=workdir, env=env, check=True, capture_output=True)
    with serving(env, workdir, args.threads) as url:
        gate = Gate(TOKEN, APP_ID, AES_KEY)
        drive(url, gate, min(100, args.messages), args.concurrency, 30, first=10**6)  # warm-up, its own MsgIds
        return drive(url, gate, args.messages, args.concurrency, args.max_seconds)


CLI = [sys.executable, "-m", "bot.cli"]


def live_env() -> dict[str, str]:
    """Live safe mode (a half-set WeChat configuration is refused), its pushes
    going to the local fake API instead of WeChat; no LIAISON_ setting of ours leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env.update(LIAISON_WECHAT_TOKEN=TOKEN, LIAISON_WECHAT_AES_KEY=AES_KEY, LIAISON_WECHAT_APP_ID=APP_ID,
               LIAISON_WECHAT_APP_SECRET="fakesecret", LIAISON_WECHAT_API_BASE=f"http://127.0.0.1:{free_port()}",
               LIAISON_LOG_LEVEL="WARNING", PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return env


@contextmanager
def serving(env: dict[str, str], workdir: str, threads: int):
    """`liaison serve` (web, worker, beat) and the fake WeChat API it pushes to, for
    the instance in `workdir`; yields the server's URL once it is ready."""
    fake_port = env["LIAISON_WECHAT_API_BASE"].rsplit(":", 1)[1]
    fake = subprocess.Popen(CLI + ["fake-wechat", "--port", fake_port, "--app-id", APP_ID], cwd=workdir,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port = free_port()
    log = open(os.path.join(workdir, "serve.log"), "w")
    server = subprocess.Popen(CLI + ["serve", "--port", str(port), "--threads", str(threads)], cwd=workdir,
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if requests.get(url + "/readyz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        yield url
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        fake.terminate()
        fake.wait(timeout=30)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url")
    parser.add_argument("--token", default=TOKEN)
    parser.add_argument("--aes-key", default=AES_KEY)
    parser.add_argument("--app-id", default=APP_ID)
    parser.add_argument("--spawn", action="append", choices=["embedded", "postgres"], default=[])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads of a spawned server")
    parser.add_argument("--max-seconds", type=float, default=60.0)
    args = parser.parse_args()
    runs: dict[str, dict] = {}
    if args.url:
        runs["given"] = drive(args.url.rstrip("/"), Gate(args.token, args.app_id, args.aes_key or None),
                              args.messages, args.concurrency, args.max_seconds)
    for kind in args.spawn:
        runs[kind] = spawn(kind, args)
    if not runs:
        parser.error("give --url or --spawn")
    print(f"{'server':<10} {'sent':>6} {'ok':>6} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, r in runs.items():
        print(f"{name:<10} {r['sent']:>6} {r['ok']:>6} {r['per_second']:>8.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}")
    if "embedded" in runs and "postgres" in runs:
        print(f"throughput ratio postgres/embedded: {runs['postgres']['per_second'] / runs['embedded']['per_second']:.2f}")


if __name__ == "__main__":
    main()
