"""Text normalisation shared by training and inference.

The Teddy Cup training text was jieba-segmented, stop words and punctuation
removed, then the tokens glued back together. WeChat text is raw. Both go
through `normalize()` so that they meet in the same character n-gram space:
NFKC (full-width -> half-width), lower case, digit runs -> "0", everything that
is not a CJK character, a Latin letter or a digit dropped, and multi-character
stop words plus a few sentence particles removed. Single-character stop words
from the list (有, 不, 在 ...) are kept on purpose: removing them as substrings
would also cut them out of content words, and the training text kept them
inside words anyway.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Sentence particles that never carry topic; safe to drop everywhere.
PARTICLES = "的了吗呢啊吧呀哦嘛哈呗啦嗯哎唉喂"

# Keep CJK ideographs, Latin letters and digits; everything else is noise here.
_DROP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_DIGITS = re.compile(r"[0-9*]+")


def clean(text: str) -> str:
    """NFKC, lower case, digit runs to "0", drop punctuation/space/emoji."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    # The board masks digits with "*"; treat masks and digits alike.
    text = _DIGITS.sub("0", text)
    return _DROP.sub("", text)


def multichar_stop_words(lines: list[str]) -> list[str]:
    """The stop words worth removing as substrings: CJK words of 2+ characters."""
    words = {clean(line) for line in lines}
    return sorted(w for w in words if len(w) >= 2 and not w.isascii())


def _trie_regex(words: list[str]) -> str:
    """One regex for many words, shaped as a trie (a flat alternation of ~900
    words is ten times slower: the engine tries each branch at each position).
    Longer matches win, as with a longest-first alternation."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = node.get("", False)
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if end else body

    return build(trie)


@lru_cache(maxsize=4)
def _stop_pattern(stop_words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(_trie_regex(list(stop_words) + list(PARTICLES)))


def remove_stop_words(cleaned: str, stop_words: tuple[str, ...] = ()) -> str:
    return _stop_pattern(tuple(stop_words)).sub("", cleaned)


def normalize(text: str, stop_words: tuple[str, ...] = ()) -> str:
    """Full normalisation for the category model (stop words ship in the artifact)."""
    return remove_stop_words(clean(text), stop_words)
