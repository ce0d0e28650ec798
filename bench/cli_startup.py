"""Whole-process wall time of the commands a clerk runs dozens of times a day.

Builds a demo instance in a temporary folder, then runs each command N times
as a new process (the way a clerk runs it) and prints min / median / max.
Usage: python bench/cli_startup.py [--runs 10]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [["--help"], ["tickets", "list"], ["tickets", "list", "--json"], ["status"], ["qr", "list"],
            ["roster", "stats"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    liaison = [sys.executable, "-m", "bot.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryDirectory() as home:
        subprocess.run([*liaison, "demo", "seed"], cwd=home, env=env, check=True, capture_output=True)
        print(f"{'command':<28} {'min':>6} {'median':>7} {'max':>6}  (seconds, {args.runs} runs each)")
        for command in COMMANDS:
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                subprocess.run([*liaison, *command], cwd=home, env=env, check=True, capture_output=True)
                times.append(time.perf_counter() - started)
            print(f"{'liaison ' + ' '.join(command):<28} {min(times):6.3f} {statistics.median(times):7.3f} "
                  f"{max(times):6.3f}")
        floor = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import flask, sqlalchemy.orm, bot.models"], env=env, check=True)
            floor.append(time.perf_counter() - started)
        print(f"{'(import flask+orm+models)':<28} {min(floor):6.3f} {statistics.median(floor):7.3f} {max(floor):6.3f}")


if __name__ == "__main__":
    main()
