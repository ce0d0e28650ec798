"""N-gram look-up with integers instead of Python strings.

A term of one to three characters packs into 63 bits (21 bits a code point);
a head term (HEAD_MARK + n-gram) also sets bit 63. The vocabulary's keys are
built in numpy when the artifact loads, and a text's n-grams are computed
and found with `searchsorted`: the same n-grams, as often, as
features.char_ngrams / head_ngrams give, without slicing and hashing ~1,000
fresh strings per board post (that was most of classify()'s time).
"""
from __future__ import annotations

import numpy as np

from .features import HEAD_CHARS, HEAD_MARK, MAX_CHARS, NGRAM_RANGE

BITS = np.uint64(21)
HEAD_BIT = np.uint64(1 << 63)
assert NGRAM_RANGE[1] * 21 <= 63, "an n-gram must fit in 63 bits"


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


class GramIndex:
    def __init__(self, terms: list[str]):
        if not terms:
            self.keys = np.zeros(0, dtype=np.uint64)
            self.ids = np.zeros(0, dtype=np.int64)
            return
        codes = _codes("\n".join(terms))  # normalised text never holds a newline
        ends = np.flatnonzero(codes == 10)
        starts = np.concatenate(([0], ends + 1))
        lens = np.concatenate((ends, [len(codes)])) - starts
        head = codes[starts] == ord(HEAD_MARK)
        starts, lens = starts + head, lens - head
        if lens.max() > NGRAM_RANGE[1] or lens.min() < 1:
            raise ValueError("vocabulary terms must be 1-3 characters (after the head mark)")
        keys = np.zeros(len(starts), dtype=np.uint64)
        for k in range(NGRAM_RANGE[1]):
            more = lens > k
            keys[more] = (keys[more] << BITS) | codes[starts[more] + k]
        keys[head] |= HEAD_BIT
        order = np.argsort(keys, kind="stable")
        self.keys, self.ids = keys[order], order.astype(np.int64)
        if len(self.keys) > 1 and not (np.diff(self.keys) > 0).all():
            raise ValueError("vocabulary has duplicate terms")

    def lookup(self, grams: np.ndarray) -> np.ndarray:
        """Vocabulary ids of the n-gram keys that are known (repeats kept)."""
        if not grams.size or not self.keys.size:
            return np.zeros(0, dtype=np.int64)
        grams = np.sort(grams)  # sorted needles: searchsorted walks the keys in order (half the time)
        pos = np.minimum(np.searchsorted(self.keys, grams), len(self.keys) - 1)
        hit = self.keys[pos] == grams
        return self.ids[pos[hit]]


def text_keys(text: str) -> np.ndarray:
    """Keys of char_ngrams(text): every 1..3-gram of the first MAX_CHARS characters."""
    c = _codes(text[:MAX_CHARS])
    parts = []
    for n in range(NGRAM_RANGE[0], NGRAM_RANGE[1] + 1):
        if len(c) < n:
            break
        key = c[: len(c) - n + 1].copy()
        for k in range(1, n):
            key = (key << BITS) | c[k: len(c) - n + 1 + k]
        parts.append(key)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def head_keys(text: str) -> np.ndarray:
    """Keys of head_ngrams(text): none for a text of HEAD_CHARS or fewer."""
    if len(text) <= HEAD_CHARS:
        return np.zeros(0, dtype=np.uint64)
    return text_keys(text[:HEAD_CHARS]) | HEAD_BIT
