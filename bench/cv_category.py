"""Cross-validated macro-F1 of the category model on teddycup2020c train.

    python bench/cv_category.py [--head-weight W] [--nb-mix M] [--folds K]

How hyper-parameters are chosen without looking at dev: stratified K-fold
over the teddycup2020c train rows; every other training source (raw twins,
leaders_board_zj, label tree, our seeds) stays in training, except the raw
twins of the held-out fold's messages. Each fold is fit with the shipped
training code (train.fit_linear) and scored through the runtime path
(model.category_proba), so the figure measures what would ship.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp import CATEGORIES  # noqa: E402
from bot.nlp import train as T  # noqa: E402
from bot.nlp.cli import _default_dirs  # noqa: E402
from bot.nlp.datasets import row_text  # noqa: E402
from bot.nlp.evaluate import scores  # noqa: E402
from bot.nlp.model import _load_model, category_proba, pack_model  # noqa: E402
from bot.nlp.normalize import normalize  # noqa: E402

BOARD = "teddycup2020c"


def folds(rows: list[dict], k: int, seed: int) -> dict[str, int]:
    """Stratified fold number per board row id (seeded, order-free)."""
    out: dict[str, int] = {}
    by_label: dict[str, list[str]] = {}
    for r in rows:
        by_label.setdefault(r["label"], []).append(r["id"])
    for label in sorted(by_label):
        ids = sorted(by_label[label])
        random.Random(f"{seed}:{label}").shuffle(ids)
        out.update({i: n % k for n, i in enumerate(ids)})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--head-weight", type=float, default=T.HEAD_WEIGHT)
    ap.add_argument("--nb-mix", type=float, default=T.NB_MIX)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    data = T.collect(_default_dirs(), T.SEED)
    stop = tuple(data["stop_words"])
    board = [r for r in data["train"] if r.get("source") == BOARD]
    fold_of = folds(board, args.folds, T.SEED)
    meta = {"stop_words": list(stop), "keywords": data["keywords"], "keyword_boost": T.KEYWORD_BOOST, "keyword_span": T.KEYWORD_SPAN}
    f1s = []
    for k in range(args.folds):
        held = [r for r in board if fold_of[r["id"]] == k]
        fit_rows = [r for r in data["train"] if fold_of.get(r.get("id"), -1) != k and fold_of.get(r.get("twin"), -1) != k]
        arrays = pack_model("cat", *T.fit_linear(
            [normalize(row_text(r), stop) for r in fit_rows], [r["label"] for r in fit_rows], T._weights(fit_rows),
            T.C_CATEGORY, CATEGORIES, args.head_weight, args.nb_mix))
        model = _load_model(arrays, "cat", list(CATEGORIES), 1.0, args.head_weight)
        pred = []
        for r in held:
            p = category_proba(model, meta, row_text(r))
            pred.append("其他" if p is None else CATEGORIES[int(p.argmax())])
        f1s.append(scores([r["label"] for r in held], pred)["macro_f1"])
        print(f"fold {k}: n={len(held)} macro-F1={f1s[-1]:.4f}", flush=True)
    print(f"head_weight={args.head_weight} nb_mix={args.nb_mix}: CV macro-F1 mean={statistics.mean(f1s):.4f} sd={statistics.pstdev(f1s):.4f}")


if __name__ == "__main__":
    main()
