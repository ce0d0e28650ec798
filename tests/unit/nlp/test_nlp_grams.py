"""The integer n-gram look-up finds exactly what the string n-grams would."""
from __future__ import annotations

import numpy as np
import pytest

from bot.nlp import model as model_module
from bot.nlp.features import HEAD_CHARS, HEAD_MARK, MAX_CHARS, char_ngrams, head_ngrams
from bot.nlp.grams import GramIndex, head_keys, text_keys

TEXTS = ["", "水", "停水", "村里自来水停了三天了", "😀😀路灯坏了𠮷", "a" * HEAD_CHARS, "路" * (HEAD_CHARS + 1),
         "小区物业乱收停车费业主多次反映没有结果" * 30, "0号楼000室" * 3]


def by_strings(vocab: dict[str, int], grams: list[str]) -> list[int]:
    return sorted(i for i in map(vocab.get, grams) if i is not None)


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_ngrams_are_found_as_often_as_with_strings(text):
    terms = sorted(set(char_ngrams(text)) | set(head_ngrams(text)) | {"路灯", "停水", "^小区", "水"})
    index, vocab = GramIndex(terms), {t: i for i, t in enumerate(terms)}
    assert sorted(index.lookup(text_keys(text)).tolist()) == by_strings(vocab, char_ngrams(text))
    assert sorted(index.lookup(head_keys(text)).tolist()) == by_strings(vocab, head_ngrams(text))


def test_unknown_ngrams_and_empty_vocabularies_find_nothing():
    assert GramIndex(["路灯"]).lookup(text_keys("自来水")).size == 0
    assert GramIndex([]).lookup(text_keys("自来水")).size == 0
    assert len(text_keys("x" * (MAX_CHARS + 50))) == 3 * MAX_CHARS - 3  # cut like char_ngrams


def test_a_bad_vocabulary_is_refused():
    with pytest.raises(ValueError):
        GramIndex(["路灯坏了"])  # longer than a 3-gram
    with pytest.raises(ValueError):
        GramIndex(["路灯", "路灯"])


def test_shipped_model_scores_match_the_string_lookup():
    cat = model_module.load_artifact().category
    for text in TEXTS[3:]:
        grams, head = char_ngrams(text), head_ngrams(text)
        assert sorted(cat.index.lookup(text_keys(text)).tolist()) == by_strings(cat.vocab, grams)
        assert sorted(cat.index.lookup(head_keys(text)).tolist()) == by_strings(cat.vocab, head)
    assert any(t.startswith(HEAD_MARK) for t in cat.terms) and np.isfinite(cat.logits(TEXTS[7])).all()
