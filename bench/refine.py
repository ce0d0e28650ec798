"""Figures for the second stage (issue 18, item 1): the refiner's dev figures and
the encoder's latency.

    python bench/refine.py [--data DIR ...] [--cache FILE] [--fast-dev FILE] [--skip-dev]

1. Dev figures, measured live: the dev-stage fast model (train splits only, or
   --fast-dev) and a dev-stage head (train splits only), the mix and
   temperature chosen on the unsure dev rows, as `liaison nlp train-refiner`
   does; then every dev split and data/eval/eval_short_fresh*.jsonl (never used
   to choose anything). For each: the fast model, the refined answer, and the
   pipeline (refined when the fast model is below its triage threshold, as the
   worker does), on all rows and on the unsure ones. --cache keeps the
   sentence embeddings (digests and vectors, no text) between runs.
2. Latency of the shipped refiner, one message at a time, one thread: the
   encoder alone and the whole refine() (fast model + encoder + head), on short
   WeChat-like messages and on board posts cut at ENCODER_CHARS.
3. Cold start: a fresh interpreter to the first refined answer (the worker's
   first refining task pays it once).
Needs the `refine` and `train` extras.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from timing import cold_start  # bench/timing.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp import datasets  # noqa: E402
from bot.nlp.cli import _default_dirs  # noqa: E402
from bot.nlp.refine import REFINER_PATH, get_refiner  # noqa: E402

COLD = ("from bot.nlp.refine import get_refiner; print(get_refiner().refine('村里的路灯坏了一个月了').category, "
        "flush=True)")


def fresh_sets() -> dict[str, list[dict]]:
    return {f.stem: datasets.read_jsonl(f) for f in sorted((ROOT / "data" / "eval").glob("eval_short_fresh*.jsonl"))}


def dev_table(dirs: list[Path], cache: Path | None, fast_dev: Path | None) -> None:
    from bot.nlp.train_refiner import train_refiner

    with tempfile.TemporaryDirectory() as tmp:
        m = train_refiner(dirs, Path(tmp) / "refiner.npz", cache=cache, fast_dev=fast_dev, evaluate=fresh_sets(),
                          log=lambda line: print("  " + line, file=sys.stderr))
    print(f"mix={m['mix']} temperature={m['temperature']} fast threshold={m['fast_threshold']} "
          f"refiner threshold={m['threshold']}; unsure dev rows it would release from triage: "
          f"{m['unsure_released']}")
    print(f"\n{'set':<22}{'n':>6}  {'fast acc/F1':>13}  {'pipeline acc/F1':>15}  {'unsure n':>8}  "
          f"{'fast acc/F1':>13}  {'refined acc/F1':>14}")
    for name, f in m["dev"].items():
        a, u = f["all"], f["unsure"]
        print(f"{name:<22}{a['n']:>6}  {a['fast']['accuracy']:.3f}/{a['fast']['macro_f1']:.3f}  "
              f"    {a['pipeline']['accuracy']:.3f}/{a['pipeline']['macro_f1']:.3f}  {u['n']:>8}  "
              f"{u['fast']['accuracy']:.3f}/{u['fast']['macro_f1']:.3f}    "
              f"{u['refined']['accuracy']:.3f}/{u['refined']['macro_f1']:.3f}")


def _percentiles(times: list[float]) -> str:
    times = sorted(times)
    return f"p50 {times[len(times) // 2]:.1f} ms  p99 {times[int(len(times) * 0.99)]:.1f} ms  max {times[-1]:.1f} ms"


def latency(dirs: list[Path]) -> None:
    refiner = get_refiner()
    refiner.refine("预热")  # loads the encoder
    short = [r["text"] for rows in fresh_sets().values() for r in rows]
    long = []
    for d in dirs:
        if (d / "train.jsonl").exists():
            long += [datasets.row_text(r) for r in datasets.read_jsonl(d / "train.jsonl")[:150]]
    for name, texts in (("short messages", short), ("board posts", long)):
        enc, whole = [], []
        for t in texts:
            start = time.perf_counter()
            refiner.encode([t])
            enc.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            refiner.refine(t)
            whole.append((time.perf_counter() - start) * 1000)
        print(f"  {name:<15} n={len(texts):<4} encoder {_percentiles(enc)}")
        print(f"  {'':<15} {'':<6} refine() {_percentiles(whole)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", action="append", type=Path, help="data set directory (repeatable)")
    ap.add_argument("--cache", type=Path, help="sentence-embedding cache (.npz, outside the repository)")
    ap.add_argument("--fast-dev", type=Path, help="a dev-stage fast model already trained")
    ap.add_argument("--runs", type=int, default=3, help="cold-start runs")
    ap.add_argument("--skip-dev", action="store_true")
    args = ap.parse_args()
    dirs = args.data or _default_dirs()
    print(f"refiner {REFINER_PATH} ({REFINER_PATH.stat().st_size / 1e3:.0f} KB), mix {get_refiner().mix}, "
          f"threshold {get_refiner().threshold}")
    if not args.skip_dev and dirs:
        print("\n== dev figures (dev-stage models, measured live) ==")
        dev_table(dirs, args.cache, args.fast_dev)
    print("\n== latency (shipped refiner, warm, one message at a time, one thread) ==")
    latency(dirs)
    times = cold_start(COLD, args.runs)
    print("\n== cold start (fresh interpreter to the first refined answer) ==\n  "
          + "  ".join(f"{t:.2f} s" for t in times))


if __name__ == "__main__":
    main()
