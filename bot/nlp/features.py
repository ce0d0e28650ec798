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
# A board post opens with its title: the n-grams of the first HEAD_CHARS
# characters of a long text form a second feature block (marked with HEAD_MARK,
# which normalised text never contains). Short texts have no head block: for
# them the head is the whole message, already in the main block.
HEAD_CHARS = 40
HEAD_MARK = "^"


def char_ngrams(text: str, lo: int = NGRAM_RANGE[0], hi: int = NGRAM_RANGE[1]) -> list[str]:
    """All character n-grams of `text` (already normalised), lo..hi long."""
    text = text[:MAX_CHARS]
    out: list[str] = []
    n_chars = len(text)
    for n in range(lo, hi + 1):
        out.extend(text[i : i + n] for i in range(n_chars - n + 1))
    return out


def head_ngrams(text: str) -> list[str]:
    """The head block: marked n-grams of the first HEAD_CHARS characters of a long text."""
    if len(text) <= HEAD_CHARS:
        return []
    return [HEAD_MARK + g for g in char_ngrams(text[:HEAD_CHARS])]
