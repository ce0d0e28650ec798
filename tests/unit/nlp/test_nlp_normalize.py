"""Raw WeChat text and the preprocessed training text meet in one feature space."""

from bot.nlp.features import char_ngrams
from bot.nlp.normalize import clean, normalize

STOP = ("我们", "因为", "但是")


def test_full_width_and_case_are_folded():
    assert clean("ＡＢＣ，村里！") == "abc村里"


def test_digits_and_board_masks_become_one_token():
    assert clean("1*2号楼2015年") == "0号楼0年"


def test_raw_text_matches_its_segmented_form():
    raw = "我们村的自来水，因为管子坏了，停了3天！"
    segmented = "村 自来水 管子 坏 停 3 天".replace(" ", "")
    assert normalize(raw, STOP) == normalize(segmented, STOP)


def test_ngrams_cover_one_to_three_characters():
    assert char_ngrams("停水了") == ["停", "水", "了", "停水", "水了", "停水了"]


def test_long_input_is_capped():
    assert len(char_ngrams("水" * 5000)) < 3 * 1000
