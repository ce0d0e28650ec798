"""The teacher's pure logic on a tiny fake encoder: no network, no real model."""
from __future__ import annotations

import numpy as np
import pytest

from bot.nlp import teacher
from bot.nlp.teacher import EmbeddingCache, encoder_text, knn_proba, soft_rows, teacher_rows

CLASSES = ("城乡建设", "环境保护", "政法")


def rows(*labels):
    return [{"id": str(i), "text": f"t{i}", "label": label, "source": "leaders_board_zj"} for i, label in enumerate(labels)]


def test_a_firm_disagreement_is_relabelled_and_everything_else_kept():
    given = rows("城乡建设", "城乡建设", "城乡建设", "政法")
    proba = np.array([
        [0.05, 0.90, 0.05],  # teacher sure of 环境保护, gold at 0.05: relabelled
        [0.20, 0.75, 0.05],  # teacher sure, but gold still 0.20: kept
        [0.40, 0.55, 0.05],  # teacher not sure enough: kept
        [0.00, 0.00, 1.00],  # agrees: kept
    ])
    out = teacher_rows(given, proba, CLASSES)
    assert [r["label"] for r in out] == ["环境保护", "城乡建设", "城乡建设", "政法"]
    assert out[0]["gold_label"] == "城乡建设" and out[0]["source"] == "leaders_board_zj+teacher"
    assert "gold_label" not in out[1]
    assert given[0]["label"] == "城乡建设"  # the input rows are not changed


def test_drop_mode_leaves_the_disagreement_out():
    out = teacher_rows(rows("城乡建设", "政法"), np.array([[0.05, 0.9, 0.05], [0.1, 0.1, 0.8]]), CLASSES, mode="drop")
    assert [r["id"] for r in out] == ["1"]


def test_soft_rows_add_the_teachers_other_classes_weighted_by_share():
    out = soft_rows(rows("城乡建设"), np.array([[0.5, 0.35, 0.15]]), CLASSES)
    assert [(r["label"], r["weight"]) for r in out] == [("环境保护", pytest.approx(0.35))]
    assert out[0]["source"] == "teacher_soft"


def test_knn_votes_for_the_nearest_rows():
    train = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    p = knn_proba(train, ["城乡建设", "城乡建设", "政法"], np.array([[1.0, 0.05], [0.05, 1.0]]), CLASSES, k=1)
    assert [CLASSES[i] for i in p.argmax(1)] == ["城乡建设", "政法"]
    assert np.allclose(p.sum(1), 1.0)


def test_encoder_text_joins_segmented_chinese_and_cuts_long_posts():
    assert encoder_text({"title": "路灯 坏了", "text": "村口 路灯 不亮"}) == "路灯坏了村口路灯不亮"
    assert encoder_text({"text": "Wi Fi 坏了"}) == "Wi Fi 坏了"
    assert len(encoder_text({"text": "水" * 1000})) == teacher.ENC_CHARS


def test_the_cache_encodes_each_text_once_and_survives_a_restart(tmp_path):
    calls = []

    def fake(texts):
        calls.append(list(texts))
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    cache = EmbeddingCache("fake", fake, tmp_path)
    first = cache.get(["甲", "乙乙", "甲"])
    assert first[:, 0].tolist() == [1, 2, 1]
    again = EmbeddingCache("fake", fake, tmp_path).get(["乙乙", "丙丙丙"])
    assert again[:, 0].tolist() == [2, 3]
    assert sorted(t for c in calls for t in c) == ["丙丙丙", "乙乙", "甲"]


def test_an_unknown_encoder_is_refused():
    with pytest.raises(ValueError):
        teacher.load_encoder("bert")


def test_the_teacher_flags_a_mislabelled_row_out_of_fold(tmp_path):
    # A fake encoder: texts about water sit on one axis, about theft on the other.
    def fake(texts):
        return np.array([[1.0, 0.1] if "水" in t else [0.1, 1.0] for t in texts], dtype=np.float32)

    train = [{"id": f"w{i}", "text": f"停水{i}", "label": "城乡建设", "source": "leaders_board_zj"} for i in range(12)]
    train += [{"id": f"t{i}", "text": f"被偷{i}", "label": "政法", "source": "leaders_board_zj"} for i in range(12)]
    train[0] = {**train[0], "label": "政法"}  # the poster picked the wrong domain
    t = teacher.Teacher("fake", train, CLASSES, EmbeddingCache("fake", fake, tmp_path))
    proba = t.oof_proba(train)
    assert proba.shape == (24, 3) and np.allclose(proba.sum(1), 1.0)
    assert CLASSES[int(proba[0].argmax())] == "城乡建设"
    fixed = teacher_rows(train, proba, CLASSES, teacher_min=0.5, gold_max=0.5)
    assert fixed[0]["label"] == "城乡建设" and [r["label"] for r in fixed[1:]] == [r["label"] for r in train[1:]]
