"""classify(text) -> Classification: which first-level class a message is.

A first, honest keyword classifier over the 15 classes in
config/categories.toml. The trained model replaces the body of `classify`
behind the same interface.
"""
from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

OTHER = "其他"
_TABLE = Path(__file__).resolve().parents[2] / "config" / "categories.toml"


@dataclass(frozen=True)
class Classification:
    category: str
    confidence: float


@lru_cache(maxsize=1)
def _keywords() -> dict[str, tuple[str, ...]]:
    with open(_TABLE, "rb") as fh:
        table = tomllib.load(fh)["categories"]
    return {name: tuple(words) for name, words in table.items()}


def categories() -> tuple[str, ...]:
    return tuple(_keywords()) + (OTHER,)


def classify(text: str) -> Classification:
    text = unicodedata.normalize("NFKC", text or "").lower()
    scores: dict[str, float] = {}
    for name, words in _keywords().items():
        score = sum(len(w) for w in words if w in text)
        if score:
            scores[name] = float(score)
    if not scores:
        return Classification(OTHER, 0.0)
    best = max(scores, key=lambda k: scores[k])
    # Share of the evidence, damped when there is little of it.
    total = sum(scores.values())
    confidence = (scores[best] / total) * min(1.0, scores[best] / 4.0)
    return Classification(best, round(confidence, 3))
