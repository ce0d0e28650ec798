"""Quality floors on our own short messages, written after the model was frozen
and never used for training (data/eval/eval_*_fresh*.jsonl). Floors sit below
the measured figures so that only a real regression fails them."""

import json
from pathlib import Path

import pytest

from bot.nlp import classify, datasets, rules

# Development data: the checkout's data/ folder, beside the package, not in it.
DATA = datasets.CHECKOUT_DATA / "eval"
SEEDS = datasets.DEFAULT_SEEDS


def _rows(pattern):
    rows = []
    for path in sorted(DATA.glob(pattern)):
        with open(path, encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    assert rows, pattern
    return rows


def test_short_rural_messages_over_all_classes_are_mostly_right():
    rows = _rows("eval_short_fresh*.jsonl")
    assert {r["label"] for r in rows} >= {"民政", "农村农业", "国土资源", "政法", "纪检监察", "党务政务", "经济管理", "科技与信息产业"}
    right = sum(classify(r["text"]).category == r["label"] for r in rows)
    assert right / len(rows) >= 0.92


def test_intents_are_mostly_right():
    rows = _rows("eval_intents_fresh*.jsonl")
    right = sum(classify(r["text"]).intent == r["intent"] for r in rows)
    assert right / len(rows) >= 0.93


def test_danger_is_caught_and_near_misses_mostly_stay_calm():
    rows = _rows("eval_urgent_fresh*.jsonl")
    flagged = [classify(r["text"]).urgent for r in rows]
    urgent = [f for f, r in zip(flagged, rows) if r["urgent"]]
    calm = [f for f, r in zip(flagged, rows) if not r["urgent"]]
    assert sum(urgent) / len(urgent) >= 0.95  # recall
    assert sum(calm) / len(calm) <= 0.1  # false alarms among calm messages, most of them near-misses


def test_ordinary_messages_rarely_raise_a_false_alarm():
    rows = [r for r in _rows("eval_intents_fresh*.jsonl") + _rows("eval_short_fresh*.jsonl") if not rules.is_urgent(r["text"])]
    flagged = sum(classify(r["text"]).urgent for r in rows)
    assert flagged / len(rows) <= 0.03


def test_training_never_opens_an_evaluation_file(monkeypatch):
    from bot.nlp import datasets, train, train_urgency
    from bot.nlp.cli import _default_dirs

    opened = []
    real = datasets.read_jsonl
    monkeypatch.setattr(datasets, "read_jsonl", lambda path: opened.append(Path(path).name) or real(path))
    train.collect(_default_dirs(), train.SEED)

    class Stop(Exception):
        pass

    def stop(rows):
        raise Stop  # everything is read by now; no need to fit

    monkeypatch.setattr(train_urgency, "fit", stop)
    with pytest.raises(Stop):
        train_urgency.train_urgency(SEEDS, train.SEED, refit=False)
    assert "seed_urgency.jsonl" in opened and "seed_categories.jsonl" in opened
    assert not [name for name in opened if name.startswith("eval_")]


def test_training_never_reads_the_evaluation_files():
    package = Path(datasets.__file__).parent  # bot/nlp
    source = "".join(p.read_text(encoding="utf-8") for p in package.glob("*.py"))
    assert "def collect" in source
    for name in ("eval_short", "eval_intents", "eval_urgent", '"eval_'):
        assert name not in source
