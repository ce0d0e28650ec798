"""Reading labelled data: JSON Lines files, a row's text, and the seeded
per-label 80/20 split. Training reads every file through `read_jsonl` here, so
a test can see (and forbid) what training opens.

Our own seed examples and keyword lists are development data: they live in
`data/seeds/` of a checkout, beside the package, and are not shipped in the
wheel (nor are the evaluation sets in `data/eval/`). Training from a checkout
finds them there; elsewhere LIAISON_SEEDS names the folder holding them."""
from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from pathlib import Path

SEEDS_ENV = "LIAISON_SEEDS"
# A checkout's data/ folder (beside bot/). Only training and the tests and
# benchmarks read it: the running app never does.
CHECKOUT_DATA = Path(__file__).resolve().parents[2] / "data"
DEFAULT_SEEDS = CHECKOUT_DATA / "seeds"  # (data/eval/ beside it: tests and benchmarks only)
# What training reads from the seeds folder.
SEED_FILES = ("seed_categories.jsonl", "seed_intents.jsonl", "seed_urgency.jsonl", "keywords.json")


def seeds_dir() -> Path:
    """LIAISON_SEEDS when set, else the checkout's data/seeds."""
    given = os.environ.get(SEEDS_ENV, "").strip()
    return Path(given).expanduser() if given else DEFAULT_SEEDS


def missing_seeds(folder: Path) -> list[str]:
    return [name for name in SEED_FILES if not (folder / name).is_file()]


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def row_text(row: dict) -> str:
    return f"{row.get('title') or ''} {row.get('text') or ''}".strip()


def split_rows(rows: list[dict], seed: int, key: str = "label", dev_share: float = 0.2):
    """Seeded 80/20 split within each label (rows sorted first, so order-free)."""
    by_label: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_label[row[key]].append(row)
    train, dev = [], []
    for label in sorted(by_label):
        group = sorted(by_label[label], key=lambda r: (r.get("id", ""), row_text(r)))
        random.Random(f"{seed}:{label}").shuffle(group)
        n_dev = round(len(group) * dev_share)
        dev.extend(group[:n_dev])
        train.extend(group[n_dev:])
    return train, dev
