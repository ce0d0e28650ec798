"""Figures for issue 4, item 6: dev macro-F1, warm latency, cold start.

    python bench/classify.py [--data DIR ...] [--runs N]

1. Dev figures are measured live: the dev-stage model (trained on the train
   split only, same code and seed as the shipped one, no refit on dev) is
   written to a temporary file and run on every dev split, and the full
   classify() pipeline is run on the intent dev split.
2. Latency: the shipped artifact, one warm process, one message at a time.
3. Cold start: a fresh interpreter per run, from process start to the first
   answer on stdout.
4. Fresh sets (data/eval/eval_*.jsonl): the shipped artifact on messages
   written after a model was frozen and never trained on.
Needs scikit-learn (training extra) for step 1; --skip-dev skips it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from timing import cold_start  # bench/timing.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp import classify, classify_with, get_artifact  # noqa: E402
from bot.nlp.cli import _default_dirs  # noqa: E402
from bot.nlp.evaluate import scores  # noqa: E402
from bot.nlp.model import category_proba, load_artifact  # noqa: E402

COLD = (
    "import time; t0 = time.perf_counter();"
    "from bot.nlp import classify; r = classify('村里自来水停了三天了');"
    "print(r.category, flush=True)"
)


def dev_figures(dirs: list[Path]) -> list[dict]:
    from bot.nlp.datasets import row_text
    from bot.nlp.train import SEED, collect, train

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "dev-stage.npz"
        train(dirs, None, path, seed=SEED, refit=False)
        art = load_artifact(path)
    data = collect(dirs, SEED)
    out = []
    confs, hits = [], []
    for name, rows in data["dev"].items():
        pred = []
        for r in rows:
            p = category_proba(art.category, art.meta, row_text(r))
            pred.append("其他" if p is None else art.category.classes[int(p.argmax())])
            confs.append(0.0 if p is None else float(p.max()))
            hits.append(pred[-1] == r["label"])
        s = scores([r["label"] for r in rows], pred)
        out.append({"set": name, "n": s["n"], "accuracy": s["accuracy"], "macro_f1": s["macro_f1"]})
    rows = data["intent_dev"]
    got = [classify_with(art, r["text"]) for r in rows]
    s = scores([r["intent"] for r in rows], [g.intent for g in got])
    out.append({"set": "intent (full pipeline)", "n": s["n"], "accuracy": s["accuracy"], "macro_f1": s["macro_f1"]})
    q = [(r, g) for r, g in zip(rows, got) if r["intent"] == "question" and r.get("topic")]
    u = art.meta.get("metrics", {}).get("dev", {}).get("urgency", {}).get("combined")
    if u:
        print(f"  urgency dev (patterns or model, threshold {art.meta['urgency_threshold']}): {u}")
    out.append({"set": "question topic", "n": len(q), "accuracy": round(sum(r["topic"] == g.topic for r, g in q) / max(len(q), 1), 4), "macro_f1": float("nan")})
    # Calibration: expected calibration error over 10 confidence bins.
    ece = 0.0
    for lo in [i / 10 for i in range(10)]:
        b = [(c, h) for c, h in zip(confs, hits) if lo <= c < lo + 0.1 or (lo == 0.9 and c == 1.0)]
        if b:
            ece += len(b) / len(confs) * abs(sum(c for c, _ in b) / len(b) - sum(h for _, h in b) / len(b))
    auto = [h for c, h in zip(confs, hits) if c >= art.threshold]
    out.append({"set": f"auto-routed (conf>={art.threshold})", "n": len(auto), "accuracy": round(sum(auto) / max(len(auto), 1), 4), "macro_f1": float("nan")})
    out.append({"set": f"triage share; ECE={ece:.4f}", "n": len(confs) - len(auto), "accuracy": round(1 - len(auto) / max(len(confs), 1), 4), "macro_f1": float("nan")})
    return out


def fresh_figures() -> list[dict]:
    import json

    out = []
    for path in sorted((ROOT / "data" / "eval").glob("eval_*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        got = [classify(r["text"]) for r in rows]
        if "urgent" in rows[0]:
            gold, pred = [r["urgent"] for r in rows], [g.urgent for g in got]
            tp = sum(a and b for a, b in zip(gold, pred))
            out.append({"set": path.name, "n": len(rows), "recall": tp / max(sum(gold), 1), "precision": tp / max(sum(pred), 1)})
            continue
        key = "label" if "label" in rows[0] else "intent"
        s = scores([r[key] for r in rows], [g.category if key == "label" else g.intent for g in got])
        out.append({"set": path.name, "n": s["n"], "accuracy": s["accuracy"], "macro_f1": s["macro_f1"]})
    return out


def latency(texts: list[str]) -> tuple[float, float, float]:
    get_artifact()
    for t in texts[:50]:
        classify(t)  # warm caches
    times = []
    for t in texts:
        start = time.perf_counter()
        classify(t)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99)], times[-1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", action="append", type=Path, help="data set directory (repeatable)")
    ap.add_argument("--runs", type=int, default=7, help="cold-start runs")
    ap.add_argument("--skip-dev", action="store_true")
    args = ap.parse_args()
    dirs = args.data or _default_dirs()
    art = get_artifact()
    print(f"artifact {art.version}  threshold={art.threshold}  temperature={art.meta['temperature']}")
    if not args.skip_dev and dirs:
        print("\n== dev split (dev-stage model, measured live) ==")
        for f in dev_figures(dirs):
            print(f"  {f['set']:<24} n={f['n']:<5} accuracy={f['accuracy']:.4f}  macro-F1={f['macro_f1']:.4f}")
    print("\n== fresh sets (shipped model, never trained on) ==")
    for f in fresh_figures():
        if "recall" in f:
            print(f"  {f['set']:<24} n={f['n']:<5} urgent recall={f['recall']:.4f}  precision={f['precision']:.4f}")
        else:
            print(f"  {f['set']:<24} n={f['n']:<5} accuracy={f['accuracy']:.4f}  macro-F1={f['macro_f1']:.4f}")
    texts = []
    for d in dirs:
        for name in ("dev.jsonl", "train.jsonl"):
            p = d / name
            if p.exists():
                import json

                with open(p, encoding="utf-8") as fh:
                    texts += [f"{r.get('title') or ''} {r.get('text') or ''}" for r in map(json.loads, fh)][:700]
                break
    seeds = (ROOT / "data" / "seeds" / "seed_categories.jsonl").read_text(encoding="utf-8").splitlines()
    seeds = [line.split('"text": "')[1].split('"')[0] for line in seeds if '"text": "' in line]
    texts += seeds
    n_board = len(texts) - len(seeds)
    p50, p99, worst = latency(texts)
    print(f"\n== latency, one warm process, {len(texts)} messages ==\n  p50={p50:.3f} ms  p99={p99:.3f} ms  max={worst:.3f} ms")
    for name, part in (("board posts only", texts[:n_board]), ("short messages only", texts[n_board:])):
        p50, p99, worst = latency(part)
        print(f"  {name:<20} n={len(part):<5} p50={p50:.3f} ms  p99={p99:.3f} ms")
    cold = cold_start(COLD, args.runs)
    print(f"\n== cold start (process start -> first answer), {args.runs} runs ==\n  median={statistics.median(cold):.3f} s  max={max(cold):.3f} s")


if __name__ == "__main__":
    main()
