"""Training is reproducible and the artifact is portable and small."""

import json
import random

import numpy as np

from bot.nlp import model as model_module
from bot.nlp.train import train

TOPICS = {
    "城乡建设": ["自来水", "路灯", "物业", "拆迁"],
    "教育文体": ["学校", "老师", "学生", "幼儿园"],
    "交通运输": ["公交", "公路", "客车", "快递"],
}


def _tiny_set(path):
    rnd = random.Random(7)
    rows = []
    for label, words in TOPICS.items():
        for i in range(20):
            text = "".join(rnd.choice(words) for _ in range(4)) + "问题反映"
            rows.append({"id": f"t-{label}-{i}", "title": "", "text": text, "label": label})
    (path / "train.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")


def test_same_seed_gives_identical_artifact_bytes(tmp_path):
    data = tmp_path / "tiny"
    data.mkdir()
    _tiny_set(data)
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    metrics_a = train([data], None, a, seed=1)
    metrics_b = train([data], None, b, seed=1)
    assert a.read_bytes() == b.read_bytes()
    assert metrics_a == metrics_b
    assert "threshold" in metrics_a and "tiny" in metrics_a["dev"]


def test_artifact_loads_without_pickle_and_predicts(tmp_path):
    data = tmp_path / "tiny"
    data.mkdir()
    _tiny_set(data)
    out = tmp_path / "m.npz"
    extra = [{"text": "低保被村干部取消了", "label": "民政"}]
    train([data], extra, out, seed=1)
    with np.load(out, allow_pickle=False) as npz:
        assert "meta" in npz.files
    art = model_module.load_artifact(out)
    assert art.version
    assert 0.0 <= art.threshold <= 1.0
    assert any(d["name"] == "staff corrections" for d in art.meta["data"])
    probs = model_module.category_proba(art.category, art.meta, "学校老师")
    assert art.category.classes[int(probs.argmax())] == "教育文体"


def test_shipped_artifact_is_versioned_and_under_25_mb():
    assert model_module.ARTIFACT_PATH.stat().st_size <= 25 * 1024 * 1024
    art = model_module.load_artifact()
    assert art.version and art.meta["metrics"]["dev"]
    assert 0.0 < art.threshold < 1.0


def test_category_model_has_a_head_block_for_long_texts_and_a_short_text_layer():
    from bot.nlp.features import HEAD_CHARS, HEAD_MARK

    cat = model_module.load_artifact().category
    assert cat.head_weight > 0 and cat.coef_short is not None
    assert cat.coef_short.shape[1] == len(cat.classes)
    assert any(term.startswith(HEAD_MARK) for term in cat.vocab)
    long_text = "小区物业乱收停车费" + "业主多次反映没有结果" * 6
    assert len(long_text) > HEAD_CHARS
    # The head block changes the scores of a long text, never of a short one.
    with_head = cat.logits(long_text)
    cat_no_head = model_module.LinearModel(cat.classes, cat.terms, cat.idf, cat.coef, cat.bias)
    assert not np.allclose(with_head, cat_no_head.logits(long_text))
    short = "村里自来水停了三天了"
    assert np.allclose(cat.logits(short), model_module.LinearModel(cat.classes, cat.terms, cat.idf, cat.coef_short, cat.bias_short).logits(short))
