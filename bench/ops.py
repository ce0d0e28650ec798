"""What operations cost a request: the request-id and latency hooks (bot/web/observe.py)
on a trivial request, one webhook-latency observation, and a /metrics scrape,
with the default registry and summing N processes' files (multiprocess mode).

    python bench/ops.py [--requests 3000] [--processes 4]

In-process (Flask's test client, SQLite + an embedded Redis in a temporary
folder), nothing listens on a port; bounded by --requests.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

COUNT = ("from bot import metrics\nfor o in ('reply', 'ack', 'rejected'):\n"
         "    metrics.WEBHOOK_SECONDS.labels(outcome=o).observe(0.02)\n"
         "metrics.TICKETS_CREATED.inc()\nmetrics.PUSHES.labels(result='sent').inc()\n")


def per_call(fn, n: int) -> float:
    """Median of 5 rounds, microseconds per call."""
    return statistics.median(interleaved([fn], n)[0])


def interleaved(fns: list, n: int, rounds: int = 7) -> list[list[float]]:
    """Rounds of each function in turn (a busy machine slows all alike): microseconds per call."""
    out: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            out[i].append((time.perf_counter() - start) / n * 1e6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=4)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="liaison-bench-ops-")
    multi = os.path.join(folder, "metrics")
    os.makedirs(multi)
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": multi,
           "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}
    for _ in range(args.processes):
        subprocess.run([sys.executable, "-c", COUNT], env=env, check=True)

    from bot import create_app, metrics

    app = create_app({"INSTANCE_PATH": os.path.join(folder, "instance"), "TESTING": True})
    bare = create_app({"INSTANCE_PATH": os.path.join(folder, "instance"), "TESTING": True})
    for hooks in (bare.before_request_funcs, bare.after_request_funcs, bare.teardown_request_funcs):
        for key, funcs in hooks.items():  # only observe.py's: the console's own stay in both
            funcs[:] = [f for f in funcs if f.__module__ != "bot.web.observe"]
    from bot.infra.migrate import upgrade

    upgrade(app.extensions["liaison"].engine)  # the outbox table the scrape counts
    with_hooks, without = app.test_client(), bare.test_client()
    n = args.requests // 7
    hooked_runs, plain_runs = interleaved([lambda: with_hooks.get("/healthz"), lambda: without.get("/healthz")], n)
    hooked, plain = statistics.median(hooked_runs), statistics.median(plain_runs)
    observe = per_call(lambda: metrics.WEBHOOK_SECONDS.labels(outcome="reply").observe(0.02), n * 10)
    scrape_client = app.test_client()
    scrape_client.get("/metrics")  # the view's first import and the Celery app, not per scrape
    single = per_call(lambda: scrape_client.get("/metrics"), 40)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = multi
    summed = per_call(lambda: scrape_client.get("/metrics"), 40)
    print(f"GET /healthz: {plain:.0f} us without the hooks, {hooked:.0f} us with them "
          f"(+{hooked - plain:.0f} us a request)")
    print(f"one webhook latency observation (single process): {observe:.2f} us")
    print(f"/metrics scrape: {single / 1000:.2f} ms (this process), {summed / 1000:.2f} ms "
          f"summing {args.processes} processes' files; queue depth and pending pushes included")


if __name__ == "__main__":
    main()
