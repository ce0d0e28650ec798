"""Reading labelled data: JSON Lines files, a row's text, and the seeded
per-label 80/20 split. Training reads every file through `read_jsonl` here, so
a test can see (and forbid) what training opens."""
from __future__ import annotations

import json
import random
from collections import defaultdict
from pathlib import Path


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
