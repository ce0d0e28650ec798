"""Training the urgency model: a linear layer beside the urgency patterns.

The patterns (rules.is_urgent) know the textbook words; people in a panic
write "梁咔咔响 老人还在屋里" or "喊他不应". The model learns such messages
from `data/seeds/seed_urgency.jsonl` (written for this project, both urgent
messages and near-misses that use the same words), plus our short category
and intent seeds and board-post titles that the patterns do not flag, as
calm examples. At runtime a message is urgent when the patterns or the
model say so (bot.nlp._urgent).

The threshold is chosen on a dev split of seed_urgency for the combination,
maximising F2 (recall counts twice: a missed alarm costs more than a false one).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np

from . import datasets, rules
from .fitting import fit_linear, fit_temperature
from .normalize import clean

URGENCY = ("calm", "urgent")
C_URGENCY = 1.0
BETA = 2.0


def rows_from(seed_urgency: list[dict], *calm_sources: list[dict]) -> list[dict]:
    """seed_urgency as labelled; other seeds the patterns leave alone as calm."""
    rows = [{"text": r["text"], "urgent": "urgent" if r["urgent"] else "calm"} for r in seed_urgency]
    for source in calm_sources:
        rows += [{"text": r["text"], "urgent": "calm"} for r in source if not rules.is_urgent(r["text"])]
    return rows


def fit(rows: list[dict]):
    texts = [clean(r["text"]) for r in rows]
    return fit_linear(texts, [r["urgent"] for r in rows], [1.0] * len(rows), C_URGENCY, URGENCY)


def f_beta(gold: list[bool], pred: list[bool], beta: float = BETA) -> float:
    tp = sum(g and p for g, p in zip(gold, pred))
    fp = sum(p and not g for g, p in zip(gold, pred))
    fn = sum(g and not p for g, p in zip(gold, pred))
    b2 = beta * beta
    return (1 + b2) * tp / max((1 + b2) * tp + b2 * fn + fp, 1)


def recall_precision(gold: list[bool], pred: list[bool]) -> dict:
    tp = sum(g and p for g, p in zip(gold, pred))
    return {
        "n": len(gold),
        "urgent": sum(gold),
        "recall": round(tp / max(sum(gold), 1), 4),
        "precision": round(tp / max(sum(pred), 1), 4),
    }


def choose(model, dev: list[dict]) -> tuple[float, float, dict]:
    """Temperature (dev log-loss) and threshold (best F2 of patterns or model) on dev."""
    # Imported here: bot.nlp.train imports this module.
    from . import model_bar

    raw = [unicodedata.normalize("NFKC", r["text"]) for r in dev]  # as classify() sees it
    texts = [clean(t) for t in raw]
    gold = [r["urgent"] == "urgent" for r in dev]
    temperature = fit_temperature([model.logits(t) for t in texts], URGENCY, [r["urgent"] for r in dev])
    model.temperature = temperature
    p = [0.0 if (q := model.proba(t)) is None else float(q[1]) for t in texts]
    by_rule = [rules.is_urgent(t) for t in raw]

    def flags(t: float) -> list[bool]:
        # As at runtime (bot.nlp._urgent): the patterns, or the model above its bar.
        return [a or b >= model_bar({"urgency_threshold": t}, r) for a, b, r in zip(by_rule, p, raw)]

    best = (-1.0, 0.5)
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        score = f_beta(gold, flags(float(t)))
        if score > best[0] + 1e-9:  # ties keep the lower threshold: recall first
            best = (score, float(t))
    threshold = best[1]
    combined = flags(threshold)
    metrics = {
        "patterns": recall_precision(gold, by_rule),
        "model": recall_precision(gold, [b >= threshold for b in p]),  # the model alone, at the plain threshold
        "combined": recall_precision(gold, combined),
        "f2": round(best[0], 4),
    }
    return temperature, threshold, metrics


def train_urgency(data_dir: Path, seed: int, refit: bool, titles: list[str] = ()) -> tuple[dict[str, np.ndarray], dict]:
    """Arrays (prefix `urg`) and meta entries for the urgency model. `titles`:
    board-post titles, ordinary complaints that teach the model calm wording."""
    from .model import _load_model, pack_model

    urgent = datasets.read_jsonl(data_dir / "seed_urgency.jsonl")
    categories = datasets.read_jsonl(data_dir / "seed_categories.jsonl")
    for r in urgent:
        r["urgent_label"] = "urgent" if r["urgent"] else "calm"
    u_train, u_dev = datasets.split_rows(urgent, seed, key="urgent_label")
    c_train, c_dev = datasets.split_rows(categories, seed)
    # Greetings, ratings, questions and follow-ups: short messages must stay calm too.
    talk = [r for r in datasets.read_jsonl(data_dir / "seed_intents.jsonl") if r["intent"] != "opinion"]
    t_train, t_dev = datasets.split_rows(talk, seed, key="intent")
    b_train, b_dev = datasets.split_rows([{"text": t, "label": "calm"} for t in titles], seed)
    train_rows, dev_rows = rows_from(u_train, c_train, t_train, b_train), rows_from(u_dev, c_dev, t_dev, b_dev)
    arrays = pack_model("urg", *fit(train_rows))
    temperature, threshold, metrics = choose(_load_model(arrays, "urg", list(URGENCY), 1.0), dev_rows)
    if refit:
        arrays = pack_model("urg", *fit(train_rows + dev_rows))
    meta = {
        "urgency": list(URGENCY),
        "urgency_temperature": temperature,
        "urgency_threshold": threshold,
    }
    info = {"name": "seed_urgency (ours) + calm category and intent seeds, board titles", "train": len(train_rows), "dev": len(dev_rows)}
    return arrays, {"meta": meta, "metrics": metrics, "set": info}
