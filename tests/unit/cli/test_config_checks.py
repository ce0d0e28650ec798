"""Settings that would break every request are refused when the app starts."""
from __future__ import annotations

import pytest

from config import settings


def finish(**values):
    return settings.finish({**settings.load({}), **values}, "/tmp/liaison-unused")


def test_a_mistyped_aes_key_stops_the_start_not_every_request():
    good = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # Tencent's sample key
    assert finish(WECHAT_AES_KEY=good, SECRET_KEY="x" * 32)["WECHAT_AES_KEY"] == good
    for bad in ("abcdefghijklmnopqrstuvwxyz0123456789ABCDE-G", "short", "é" * 43):
        with pytest.raises(ValueError, match="EncodingAESKey"):
            finish(WECHAT_AES_KEY=bad, SECRET_KEY="x" * 32)


def test_mask_village_is_on_unless_turned_off_and_a_typo_is_refused():
    from bot.services.station import Station

    assert settings.load({})["MASK_VILLAGE"] is True and Station.from_settings(settings.load({})).mask_village
    for off in ("0", "false", "No", " off "):
        loaded = settings.load({"LIAISON_MASK_VILLAGE": off})
        assert loaded["MASK_VILLAGE"] is False and not Station.from_settings(loaded).mask_village
    assert settings.load({"LIAISON_MASK_VILLAGE": "yes"})["MASK_VILLAGE"] is True
    with pytest.raises(ValueError, match="LIAISON_MASK_VILLAGE"):
        settings.load({"LIAISON_MASK_VILLAGE": "maybe"})
