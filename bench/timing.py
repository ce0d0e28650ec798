"""Shared by the benchmarks: cold start of a fresh interpreter."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cold_start(code: str, runs: int) -> list[float]:
    """Seconds from starting `python -c code` to its first line of output, per run."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        proc.stdout.readline()
        times.append(time.perf_counter() - start)
        proc.wait()
    return times
