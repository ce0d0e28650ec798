"""Posters are set in the bundled font, which has every character they print."""
from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from bot.services import texts
from bot.services.roster import posters
from bot.services.roster.demo import ACTIVITY_GROUPS, GIVEN, SITES, SURNAMES


def missing(text: str) -> set[str]:
    font = ImageFont.truetype(str(posters.FONT), 40)

    def ink(ch: str) -> bytes:
        img = Image.new("L", (60, 60))
        ImageDraw.Draw(img).text((5, 5), ch, font=font, fill=255)
        return img.tobytes()

    notdef = ink("\ue000")  # a private-use code point: the font's "missing" box
    return {ch for ch in set(text) if not ch.isspace() and ink(ch) == notdef}


def test_the_check_itself_spots_a_missing_character():
    assert missing("𠮷") == {"𠮷"}  # outside the subset (CJK Extension B)


def test_the_font_ships_with_the_code():
    assert posters.FONT.is_file() and posters.FONT.parent.name == "fonts"
    assert (posters.FONT.parent / "LICENSE-Apache-2.0.txt").is_file()


def test_every_poster_sentence_and_demo_name_has_glyphs():
    poster_text = "".join(v if isinstance(v, str) else "".join(v)
                          for k, v in vars(texts).items() if k.startswith("POSTER_"))
    names = "".join("".join(map(str, s)) for s in SITES) + "".join(ACTIVITY_GROUPS) + SURNAMES + GIVEN
    assert missing(poster_text + names + "0123456789“”") == set()


def test_rare_name_characters_are_covered_too():
    assert missing("堃喆昇玥珺淼鑫") == set()
