"""The field cipher: what it stores, what it reads, and the index terms search uses."""
from __future__ import annotations

import base64

import pytest

from bot.fieldseal import FieldCipher, Unreadable, grams, normalise, query_grams
from bot.keys import KeyRing

OLD = "o" * 40
NEW = "n" * 40
WORDS = "村口的路灯坏了半个月"


def test_a_sealed_value_hides_the_text_and_differs_every_time():
    cipher = FieldCipher(KeyRing(NEW))
    one, two = cipher.seal(WORDS), cipher.seal(WORDS)
    assert one.startswith("v1:") and one != two
    assert WORDS.encode() not in base64.b64decode(one[3:])
    assert cipher.open(one) == cipher.open(two) == WORDS


def test_the_newest_key_writes_and_every_key_of_the_ring_reads():
    old = FieldCipher(KeyRing(OLD)).seal(WORDS)
    rotated = FieldCipher(KeyRing(f"{NEW},{OLD}"))
    assert rotated.open(old) == WORDS and not rotated.current(old)
    assert rotated.current(rotated.seal(WORDS))
    with pytest.raises(Unreadable):
        FieldCipher(KeyRing(NEW)).open(old)  # the old key dropped too soon: loud, never garbage


@pytest.mark.parametrize("legacy", ["路灯坏了", "v1:我先写了这个", "", "v1:"])
def test_a_value_written_before_sealing_reads_as_it_is(legacy):
    cipher = FieldCipher(KeyRing(NEW))
    assert cipher.open(legacy) == legacy and not cipher.current(legacy)


def test_a_query_is_found_by_terms_its_text_holds_under_the_same_key():
    ring = KeyRing(f"{NEW},{OLD}")
    cipher = FieldCipher(ring)
    stored = cipher.terms(WORDS)
    newest, older = cipher.query_terms("路灯")
    assert newest <= stored and not older <= stored
    assert FieldCipher(KeyRing(OLD)).query_terms("路灯")[0] == older
    assert cipher.query_terms(" ") == []


def test_search_folds_width_case_and_spaces():
    assert normalise("ＡＢＣ 路 灯") == "abc路灯"
    assert query_grams("路灯坏") == {"路灯", "灯坏"} and query_grams("水") == {"水"}
    assert {"路", "灯", "路灯"} <= grams("路灯")
