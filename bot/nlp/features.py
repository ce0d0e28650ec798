"""Character n-grams: the one feature extractor used by training and runtime.

Character n-grams need no word segmenter, so the runtime does not pay jieba's
dictionary load (about a second) and raw and pre-segmented text are treated
alike once normalised.
"""

from __future__ import annotations

# Inputs are capped: a 5,000-character paste should not cost more than a long
# board message, and the head of a message carries its topic.
MAX_CHARS = 300
NGRAM_RANGE = (1, 3)


def char_ngrams(text: str, lo: int = NGRAM_RANGE[0], hi: int = NGRAM_RANGE[1]) -> list[str]:
    """All character n-grams of `text` (already normalised), lo..hi long."""
    text = text[:MAX_CHARS]
    out: list[str] = []
    n_chars = len(text)
    for n in range(lo, hi + 1):
        out.extend(text[i : i + n] for i in range(n_chars - n + 1))
    return out
