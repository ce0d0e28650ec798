"""The webhook against the minimal reference (issue 17, item 1), measured the
way the issue measured it: both under gunicorn on the same PostgreSQL and Redis,
1,000 voters bound through subscribe events with group scenes, distinct
safe-mode encrypted messages from bench/reference/wxload.py, rounds alternating
reference / ours, `wrk -t2 -c8` for 12 s each. Prints messages/s and wrk's
latency percentiles per round, and the ratio ours / reference.

    python bench/ratio.py                       # 3 rounds each, sync workers
    python bench/ratio.py --ours sync:2 --ours sync:4 --ours gthread:2x4 --rounds 2
    python bench/ratio.py --path default        # production settings: bursts and the flood limit on

--path new-ticket (the default) turns off the burst window and the per-voter
flood limit, so every message takes the whole path (classify, new ticket,
assignment, outbox push); --path default keeps production settings, where most
of a voter's repeated messages join their open ticket or are held back.

Needs wrk (Debian: apt-get install wrk), PostgreSQL on 127.0.0.1:5432 (trust) and
redis-server on PATH (a private one is started on a free port). Traffic goes to
127.0.0.1 only and every round is bounded by --seconds.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import requests
from serving import HERE, Server, admin_database, private_redis  # bench/serving.py, beside this script

REF_TOKEN, REF_APPID = "reftoken", "wx0000000000000001"
AES = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TOKEN, APP_ID = "benchtoken0123456789", "wxbench0000000001"


def load(out: str, n: int, token: str, appid: str, base: int, voters: int) -> str:
    """Fresh bodies (their timestamps must be inside the webhook's window)."""
    subprocess.run([sys.executable, os.path.join(HERE, "reference", "wxload.py"), str(n), out, "--token", token,
                    "--aes", AES, "--appid", appid, "--base", str(base), "--openids", str(voters)],
                   check=True, capture_output=True)
    return os.path.join(out, "post.lua")


def wrk(url: str, script: str, seconds: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url],
                         check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    lat = {p: _ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", out, re.M)}
    return {"per_second": rate, "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(0) if errors else "", **{f"p{p}_ms": v for p, v in lat.items()}}


def paced(url: str, bodies: str, rate: float, seconds: float) -> dict:
    """Replay wxload's requests at a fixed rate (open loop): latency counts from
    when each was due, so a server that falls behind shows it."""
    import statistics
    import threading
    from concurrent.futures import ThreadPoolExecutor

    lines = open(bodies, encoding="utf-8").read().splitlines()[:int(rate * seconds)]
    local, start, lat, bad = threading.local(), time.perf_counter() + 0.5, [], [0]

    def one(i: int) -> None:
        http = getattr(local, "http", None)
        if http is None:
            http = local.http = requests.Session()
        query, body = lines[i].split("\t", 1)
        due = start + i / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        res = http.post(f"{url}?{query}", data=body.encode(), headers={"Content-Type": "text/xml"}, timeout=10)
        lat.append(time.perf_counter() - due)
        if res.status_code != 200:
            bad[0] += 1

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(one, range(len(lines))))
    lat.sort()
    return {"sent": len(lines), "non_200": bad[0], "p50_ms": 1000 * statistics.median(lat),
            "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))]}


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def bind_voters(server: Server, voters: int) -> None:
    """Subscribe events with the demo's group scenes, as voters scanning posters."""
    from bot.wechat import Gate
    from bot.wechat.simulator import event_xml, signed_request

    posters = tempfile.mkdtemp(prefix="liaison-posters-")
    server.liaison("qr", "posters", posters)
    shutil.rmtree(posters, ignore_errors=True)
    scenes = [c["scene"] for c in json.loads(server.liaison("qr", "list", "--json")) if c["kind"] == "group"]
    gate, http = Gate(TOKEN, APP_ID, AES), requests.Session()
    for i in range(voters):
        now = int(time.time())
        query, body = signed_request(gate, event_xml(f"oVoter{i:06d}", "subscribe", now,
                                                     "qrscene_" + scenes[i % len(scenes)]), now)
        res = http.post(server.url + "/wechat", params=query, data=body, timeout=10)
        res.raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--ours", action="append", metavar="CLASS:WORKERS[xTHREADS]",
                        help="gunicorn shape of ours, repeatable, all measured in the same rounds "
                             "(default sync:2, the reference's own)")
    parser.add_argument("--path", default="new-ticket", choices=["new-ticket", "default"])
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    work = tempfile.mkdtemp(prefix="liaison-ratio-")
    redis_server = private_redis(work)
    servers = []
    try:
        ref_db = admin_database("liaison_ratio_ref")
        ours_db = admin_database("liaison_ratio_ours")
        ref = Server.gunicorn("reference", work, "refhook:app", dict(REF_DB=ref_db, REF_REDIS=redis_server.url(15)),
                              chdir=os.path.join(HERE, "reference"), workers=2, worker_class="sync")
        servers.append(ref)
        api = Server.fake_wechat(work, APP_ID)
        servers.append(api)
        env = dict(LIAISON_DATABASE_URL=ours_db, LIAISON_REDIS_URL=redis_server.url(14), LIAISON_WECHAT_TOKEN=TOKEN,
                   LIAISON_WECHAT_AES_KEY=AES, LIAISON_WECHAT_APP_ID=APP_ID, LIAISON_WECHAT_APP_SECRET="fakesecret",
                   LIAISON_WECHAT_API_BASE=api.url, LIAISON_LOG_LEVEL="WARNING",
                   LIAISON_SECRET_KEY="b" * 40)
        if args.path == "new-ticket":
            env.update(LIAISON_BURST_SECONDS="0", LIAISON_VOTER_RATE_LIMIT="0")
        configs = args.ours or ["sync:2"]
        ours = {}
        for spec in configs:
            kind, _, shape = spec.partition(":")
            workers, _, threads = (shape or "2").partition("x")
            server = Server.liaison_web(f"ours-{kind}-{shape}", work, env, workers=int(workers), worker_class=kind,
                                        threads=int(threads or 1), seed=not ours)
            servers.append(server)
            ours[spec] = server
        first = next(iter(ours.values()))
        bind_voters(first, args.voters)  # one database: every configuration serves the same voters
        print(f"reference: gunicorn 2 x sync; ours: {', '.join(configs)} (class:workers[xthreads]); path "
              f"{args.path}; {args.voters} voters; wrk -t2 -c{args.connections} {args.seconds} s a round")
        # Warm-up, not counted: every worker process and pooled connection of each server
        # pays its first-use costs (statement caches, prepared statements, the classifier).
        warm = [("reference", ref, REF_TOKEN, REF_APPID)] + [(spec, srv, TOKEN, APP_ID) for spec, srv in ours.items()]
        for i, (name, server, token, appid) in enumerate(warm):
            wrk(server.url + "/wechat", load(os.path.join(work, f"warm{i}"), 3000, token, appid, (50 + i) * 10**8,
                                             args.voters), 5, args.connections)
        rates: dict[str, list[float]] = {"reference": []}
        n = max(2000, args.seconds * 800)
        for r in range(args.rounds):
            plan = [("reference", ref, REF_TOKEN, REF_APPID)] + [(spec, srv, TOKEN, APP_ID) for spec, srv in ours.items()]
            for name, server, token, appid in plan:
                script = load(os.path.join(work, f"{r}-{len(rates.get(name, []))}-{name.replace(':', '_')}"), n,
                              token, appid, (r + 1) * 10**8 + 10**7 * len(rates), args.voters)
                res = wrk(server.url + "/wechat", script, args.seconds, args.connections)
                rates.setdefault(name, []).append(res["per_second"])
                print(f"round {r + 1} {name:<12} {res['per_second']:8.1f} msg/s  p50 {res.get('p50_ms', 0):7.1f} ms  "
                      f"p99 {res.get('p99_ms', 0):7.1f} ms  non-2xx {res['non_2xx']} {res['socket_errors']}",
                      flush=True)
        ref_rate = sum(rates["reference"]) / args.rounds
        print(f"reference: {ref_rate:.1f} msg/s (mean of {args.rounds} rounds)")
        for spec in configs:
            mine = sum(rates[spec]) / args.rounds
            pairs = ", ".join(f"{o / f:.2f}" for o, f in zip(rates[spec], rates["reference"]))
            print(f"ours {spec:<12} {mine:8.1f} msg/s  ratio {mine / ref_rate:.2f} (per round: {pairs})")
        best = max(configs, key=lambda spec: sum(rates[spec]))
        half = sum(rates[best]) / args.rounds / 2
        script = load(os.path.join(work, "paced"), int(half * args.seconds) + 10, TOKEN, APP_ID, 9 * 10**8,
                      args.voters)
        res = paced(ours[best].url + "/wechat", os.path.join(os.path.dirname(script), "bodies.txt"), half,
                    args.seconds)
        print(f"ours {best} at half its rate ({half:.0f} msg/s, open loop, {res['sent']} messages): "
              f"p50 {res['p50_ms']:.1f} ms, p99 {res['p99_ms']:.1f} ms, non-200 {res['non_200']}")
        print(f"tickets stored by ours: {first.count_tickets()}")
    finally:
        for server in servers:
            server.stop()
        redis_server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
