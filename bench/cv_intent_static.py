"""Cross-validated intent-model figures with and without the static block.

    python bench/cv_intent_static.py [--tables none,token,distilled] [--weights 0.5,1] [--folds 5]

Stratified K-fold over the intent training rows train.py builds (our intent
seeds + opinions from seeds and board titles); each fold is fit with the
shipped training code (fitting.fit_linear) and scored with the runtime model
(the intent model alone, no rules). Needs the `train` extra.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp import INTENTS  # noqa: E402
from bot.nlp import train as T  # noqa: E402
from bot.nlp.cli import _default_dirs  # noqa: E402
from bot.nlp.evaluate import scores  # noqa: E402
from bot.nlp.model import _load_model, pack_model, pack_static  # noqa: E402
from bot.nlp.normalize import clean  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tables", default="none,token,distilled")
    ap.add_argument("--weights", default="1")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    data = T.collect(_default_dirs(), T.SEED)
    rows = data["intent_train"]
    by_label: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_label.setdefault(r["intent"], []).append(i)
    fold = [0] * len(rows)
    for label in sorted(by_label):
        ids = by_label[label]
        random.Random(f"{T.SEED}:{label}").shuffle(ids)
        for n, i in enumerate(ids):
            fold[i] = n % args.folds
    texts = [clean(r["text"]) for r in rows]
    for name in args.tables.split(","):
        table = T.static_table("" if name == "none" else name)
        for w in [float(x) for x in args.weights.split(",")] if table is not None else [0.0]:
            acc, f1 = [], []
            for k in range(args.folds):
                tr = [i for i in range(len(rows)) if fold[i] != k]
                te = [i for i in range(len(rows)) if fold[i] == k]
                fitted = T.fit_linear([texts[i] for i in tr], [rows[i]["intent"] for i in tr], [1.0] * len(tr), T.C_INTENT, INTENTS,
                                      static=table, static_weight=w)
                arrays = pack_model("intent", *fitted)
                if table is not None:
                    arrays.update(pack_static(table))
                m = _load_model(arrays, "intent", list(INTENTS), 1.0)
                pred = [INTENTS[int(z.argmax())] if (z := m.logits(texts[i])) is not None else "opinion" for i in te]
                s = scores([rows[i]["intent"] for i in te], pred)
                acc.append(s["accuracy"])
                f1.append(s["macro_f1"])
            print(f"table={name} weight={w}: accuracy {statistics.mean(acc):.4f} macro-F1 {statistics.mean(f1):.4f} "
                  f"(folds {' '.join(f'{a:.3f}' for a in acc)})", flush=True)


if __name__ == "__main__":
    main()
