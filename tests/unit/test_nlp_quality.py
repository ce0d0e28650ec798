"""Quality floors on our own short messages, written after the model was frozen
and never used for training (bot/nlp/data/eval_*_fresh.jsonl). Floors sit below
the measured figures so that only a real regression fails them."""

import json
from pathlib import Path

from bot.nlp import classify

DATA = Path(__file__).resolve().parents[2] / "bot" / "nlp" / "data"


def _rows(name):
    with open(DATA / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_short_rural_messages_over_all_classes_are_mostly_right():
    rows = _rows("eval_short_fresh.jsonl")
    assert {r["label"] for r in rows} >= {"民政", "农村农业", "国土资源", "政法", "纪检监察", "党务政务", "经济管理", "科技与信息产业"}
    right = sum(classify(r["text"]).category == r["label"] for r in rows)
    assert right / len(rows) >= 0.85


def test_intents_are_mostly_right():
    rows = _rows("eval_intents_fresh.jsonl")
    right = sum(classify(r["text"]).intent == r["intent"] for r in rows)
    assert right / len(rows) >= 0.9


def test_training_never_reads_the_evaluation_files():
    source = (DATA.parent / "train.py").read_text(encoding="utf-8")
    assert "eval_short_fresh" not in source and "eval_intents_fresh" not in source
