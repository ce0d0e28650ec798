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
