"""Settings that would break every request, or run the wrong mode, are refused when the app starts."""
from __future__ import annotations

import itertools

import pytest
from click.testing import CliRunner

from bot.cli import main
from config import settings

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # Tencent's sample key
LIVE = {"WECHAT_APP_ID": "wx0123456789abcdef", "WECHAT_APP_SECRET": "s3cret",
        "WECHAT_TOKEN": "Tok0123456789abcdef0123456789abcd"}
WECHAT = (*LIVE, "WECHAT_AES_KEY")
ALL = {**LIVE, "WECHAT_AES_KEY": AES_KEY}


def finish(**values):
    return settings.finish({**settings.load({}), "SECRET_KEY": "x" * 32, **values}, "/tmp/liaison-unused")


def test_a_mistyped_aes_key_stops_the_start_not_every_request():
    assert finish(**ALL)["WECHAT_AES_KEY"] == AES_KEY
    for bad in ("abcdefghijklmnopqrstuvwxyz0123456789ABCDE-G", "short", "é" * 43):
        with pytest.raises(ValueError, match="EncodingAESKey"):
            finish(**{**LIVE, "WECHAT_AES_KEY": bad})


def test_refining_is_auto_on_or_off_and_anything_else_stops_the_start():
    assert finish()["REFINE_CATEGORY"] == "auto"
    assert [finish(REFINE_CATEGORY=v)["REFINE_CATEGORY"] for v in ("on", "YES", "0", " Auto ")] == [
        "on", "on", "off", "auto"]
    for bad in ("enabled", "maybe"):
        with pytest.raises(ValueError, match="LIAISON_REFINE_CATEGORY 只能是 auto、on 或 off"):
            finish(REFINE_CATEGORY=bad)


def test_no_wechat_setting_at_all_is_the_sandbox():
    done = finish()
    assert done["SANDBOX"] is True and done["WECHAT_TOKEN"] == settings.SANDBOX_TOKEN


@pytest.mark.parametrize("aes", [False, True], ids=["plaintext", "safe-mode"])
def test_app_id_secret_and_token_together_are_live(aes):
    done = finish(**(ALL if aes else LIVE))
    assert done["SANDBOX"] is False and done["WECHAT_TOKEN"] == LIVE["WECHAT_TOKEN"]
    assert done["WECHAT_APP_ID"] == LIVE["WECHAT_APP_ID"]


# Every non-empty subset of the four WeChat settings that lacks one of the three that go together.
HALF_SET = [combo for n in range(1, 4 + 1) for combo in itertools.combinations(WECHAT, n)
            if not set(LIVE) <= set(combo)]


@pytest.mark.parametrize("given", HALF_SET, ids=["+".join(n.removeprefix("WECHAT_") for n in c) for c in HALF_SET])
def test_half_set_wechat_settings_refuse_to_start_instead_of_running_the_sandbox(given):
    with pytest.raises(settings.WeChatConfigError) as caught:
        finish(**{name: ALL[name] for name in given})
    missing = [name for name in LIVE if name not in given]
    assert caught.value.kind == "half" and list(caught.value.missing) == missing
    for name in missing:
        assert f"LIAISON_{name}" in str(caught.value)


def test_live_mode_refuses_the_published_sandbox_token():
    with pytest.raises(settings.WeChatConfigError, match="published sandbox token"):
        finish(**{**LIVE, "WECHAT_TOKEN": settings.SANDBOX_TOKEN})


@pytest.mark.parametrize("token", ["tok", "abc123", "fifteen15chars0"])
def test_live_mode_refuses_a_short_token_and_says_what_wechat_accepts(token):
    with pytest.raises(settings.WeChatConfigError, match="at least 16") as caught:
        finish(**{**LIVE, "WECHAT_TOKEN": token})
    assert "3-32 letters and digits" in str(caught.value)
    assert finish(**{**LIVE, "WECHAT_TOKEN": "sixteen16chars00"})["SANDBOX"] is False


def _status(tmp_path, **env):
    base = {"LIAISON_INSTANCE_PATH": str(tmp_path), "LIAISON_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
            "LIAISON_SECRET_KEY": "k" * 32}
    base.update({f"LIAISON_{k}": v for k, v in env.items()})
    return CliRunner().invoke(main, ["status"], env=base, prog_name="liaison")


def test_the_clerk_reads_the_refusal_in_chinese(tmp_path):
    half = _status(tmp_path, WECHAT_APP_ID="wx0123456789abcdef")
    assert half.exit_code != 0
    assert "微信设置只填了一部分" in half.output
    assert "缺少 LIAISON_WECHAT_APP_SECRET、LIAISON_WECHAT_TOKEN" in half.output
    short = _status(tmp_path, **{**LIVE, "WECHAT_TOKEN": "tok"})
    assert short.exit_code != 0 and "LIAISON_WECHAT_TOKEN 太短" in short.output and "3 到 32 位" in short.output
    dev = _status(tmp_path, **{**LIVE, "WECHAT_TOKEN": settings.SANDBOX_TOKEN})
    assert dev.exit_code != 0 and "公开的沙箱令牌" in dev.output


def test_mask_village_is_on_unless_turned_off_and_a_typo_is_refused():
    from bot.services.station import Station

    assert settings.load({})["MASK_VILLAGE"] is True and Station.from_settings(settings.load({})).mask_village
    for off in ("0", "false", "No", " off "):
        loaded = settings.load({"LIAISON_MASK_VILLAGE": off})
        assert loaded["MASK_VILLAGE"] is False and not Station.from_settings(loaded).mask_village
    assert settings.load({"LIAISON_MASK_VILLAGE": "yes"})["MASK_VILLAGE"] is True
    with pytest.raises(ValueError, match="LIAISON_MASK_VILLAGE"):
        settings.load({"LIAISON_MASK_VILLAGE": "maybe"})
