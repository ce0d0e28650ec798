"""The shipped artifact and numpy-only inference.

Artifact format: one .npz (a zip of .npy arrays, read with allow_pickle=False).
`meta` holds UTF-8 JSON (version, classes, threshold, temperature, stop words,
training metadata); each linear model `<name>` has `<name>_vocab` (UTF-8,
newline-joined n-grams), `<name>_idf`, `<name>_coef` (features x classes) and
`<name>_bias`. The arrays reproduce scikit-learn's TfidfVectorizer
(sublinear_tf, smooth idf, l2 norm) followed by a linear layer, so no sklearn
is needed at runtime. The category model has a second block, the head
n-grams (features.head_ngrams, marked terms in the same vocab), l2-normalised on
its own and scaled by `meta.head_weight`, and optional `<name>_coef_short` /
`<name>_bias_short`: the layer used instead for short texts (main block only).
A model may also have a static embedding block (static.py; none shipped yet):
`<name>_static_rows` (and `<name>_static_rows_short`), its layer folded into
the shared piece table `static_pieces` / `static_weights`.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from functools import cached_property
from importlib.resources import files
from pathlib import Path

import numpy as np

from .features import HEAD_CHARS, MAX_CHARS
from .grams import GramIndex, head_keys, text_keys
from .static import StaticTable

# Package data (bot/nlp/artifacts/), found through the installed package.
ARTIFACT_DIR = Path(str(files("bot.nlp") / "artifacts"))
ARTIFACT_PATH = ARTIFACT_DIR / "classifier.npz"


@dataclass
class LinearModel:
    """TF-IDF over character n-grams followed by a softmax layer."""

    classes: tuple[str, ...]
    terms: list[str]  # the vocabulary, in feature order
    idf: np.ndarray
    coef: np.ndarray  # (n_features, n_classes), float32
    bias: np.ndarray
    temperature: float = 1.0
    head_weight: float = 0.0  # 0: no head block (intent model, older artifacts)
    # Short texts (no head block) may have their own layer over the main block.
    coef_short: np.ndarray | None = None
    bias_short: np.ndarray | None = None
    # The static embedding block, its layer folded into the piece table
    # (vectors = pieces x classes), and the same for the short-text layer.
    static: StaticTable | None = None
    static_short: StaticTable | None = None

    def __post_init__(self) -> None:
        self.index = GramIndex(self.terms)

    @cached_property
    def vocab(self) -> dict[str, int]:
        return {t: i for i, t in enumerate(self.terms)}

    def _tfidf(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Ids and l2-normalised TF-IDF values of the known n-grams, or None."""
        found = self.index.lookup(keys)
        if not found.size:
            return None
        ids, counts = np.unique(found, return_counts=True)
        x = (1.0 + np.log(counts)) * self.idf[ids]
        return ids, x / np.linalg.norm(x)

    def logits(self, text: str) -> np.ndarray | None:
        """Raw scores, or None when no n-gram of the text is known."""
        keys = text_keys(text)
        main = self._tfidf(keys)
        if main is None:
            return None
        ids, x = main
        table = self.static or self.static_short
        pieces = table.bag(keys) if table is not None else None
        if self.coef_short is not None and len(text) <= HEAD_CHARS:
            z = x @ self.coef_short[ids] + self.bias_short
            if self.static_short is not None and (d := self.static_short.pool(pieces)) is not None:
                z = z + d
            return z
        head = self._tfidf(head_keys(text)) if self.head_weight else None
        if head is not None:
            # Each block is normalised on its own; one gather and product for both.
            ids = np.concatenate((ids, head[0]))
            x = np.concatenate((x, self.head_weight * head[1]))
        z = x @ self.coef[ids] + self.bias
        if self.static is not None and (d := self.static.pool(pieces)) is not None:
            z = z + d
        return z

    def proba(self, text: str) -> np.ndarray | None:
        z = self.logits(text)
        if z is None:
            return None
        z = z / self.temperature
        z = np.exp(z - z.max())
        return z / z.sum()


def pack_model(prefix: str, terms: list[str], idf, coef, bias, short=None, folded=None) -> dict[str, np.ndarray]:
    """Arrays for one model; coef is (n_classes, n_features) as sklearn gives it;
    `short` is an optional (coef, bias) pair for short texts; `folded` an
    optional (rows, rows_short) pair: the static block's layer folded into the
    piece table (pieces x classes; the table itself is packed once, pack_static)."""
    out = {
        f"{prefix}_vocab": np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8),
        f"{prefix}_idf": np.asarray(idf, dtype=np.float32),
        f"{prefix}_coef": _weights16(coef),
        f"{prefix}_bias": np.asarray(bias, dtype=np.float32),
    }
    if short is not None:
        out[f"{prefix}_coef_short"] = _weights16(short[0])
        out[f"{prefix}_bias_short"] = np.asarray(short[1], dtype=np.float32)
    if folded is not None:
        out[f"{prefix}_static_rows"] = np.asarray(folded[0], dtype=np.float16)
        if folded[1] is not None:
            out[f"{prefix}_static_rows_short"] = np.asarray(folded[1], dtype=np.float16)
    return out


def pack_static(table: StaticTable) -> dict[str, np.ndarray]:
    """The shared piece table: pieces and SIF weights (the vectors stay in training)."""
    return {
        "static_pieces": np.frombuffer("\n".join(table.pieces).encode("utf-8"), dtype=np.uint8),
        "static_weights": np.asarray(table.weights, dtype=np.float32),
    }


def _weights16(coef) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(coef, dtype=np.float32).T).astype(np.float16)


def write_artifact(path: Path, meta: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write a byte-for-byte reproducible .npz (fixed zip timestamps and order)."""
    arrays = dict(arrays)
    arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8"), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(arrays[name]), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())


@dataclass
class Artifact:
    meta: dict
    category: LinearModel
    intent: LinearModel
    topic: LinearModel | None = None  # question topics; artifacts before 2026.11.3 have none
    urgency: LinearModel | None = None  # calm/urgent, beside the patterns; none before 2026.11.4

    @property
    def version(self) -> str:
        return self.meta["version"]

    @property
    def threshold(self) -> float:
        return float(self.meta["threshold"])


def _static(data, prefix: str, pieces: list[str] | None, name: str, index: GramIndex | None = None) -> StaticTable | None:
    if pieces is None or f"{prefix}_{name}" not in data:
        return None
    # float32 in memory: numpy's float16 arithmetic is slow, and the rows are small.
    return StaticTable(pieces, data["static_weights"], data[f"{prefix}_{name}"].astype(np.float32), index)


def _load_model(data, prefix: str, classes: list[str], temperature: float, head_weight: float = 0.0) -> LinearModel:
    terms = bytes(data[f"{prefix}_vocab"]).decode("utf-8").split("\n")
    pieces = bytes(data["static_pieces"]).decode("utf-8").split("\n") if "static_pieces" in data else None
    return LinearModel(
        classes=tuple(classes),
        terms=terms,
        idf=data[f"{prefix}_idf"].astype(np.float64),
        coef=data[f"{prefix}_coef"].astype(np.float32),
        bias=data[f"{prefix}_bias"].astype(np.float64),
        temperature=temperature,
        head_weight=head_weight,
        # Kept as float16 (short texts gather few rows; the cast happens in the product): faster load.
        coef_short=data[f"{prefix}_coef_short"] if f"{prefix}_coef_short" in data else None,
        bias_short=data[f"{prefix}_bias_short"].astype(np.float64) if f"{prefix}_bias_short" in data else None,
        static=(static := _static(data, prefix, pieces, "static_rows")),
        static_short=_static(data, prefix, pieces, "static_rows_short", static.index if static else None),
    )


def load_artifact(path: Path = ARTIFACT_PATH) -> Artifact:
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(bytes(data["meta"]).decode("utf-8"))
        cat = _load_model(data, "cat", meta["categories"], meta.get("temperature", 1.0), meta.get("head_weight", 0.0))
        intent = _load_model(data, "intent", meta["intents"], meta.get("intent_temperature", 1.0))
        topic = _load_model(data, "topic", meta["topics"], meta.get("topic_temperature", 1.0)) if "topics" in meta else None
        urgency = _load_model(data, "urg", meta["urgency"], meta.get("urgency_temperature", 1.0)) if "urgency" in meta else None
    return Artifact(meta=meta, category=cat, intent=intent, topic=topic, urgency=urgency)


def keyword_hits(text_clean: str, classes: tuple[str, ...], keywords: dict[str, list[str]]) -> np.ndarray:
    """1.0 for each class one of whose keywords occurs in the (cleaned) text."""
    hits = np.zeros(len(classes))
    for i, c in enumerate(classes):
        if any(k in text_clean for k in keywords.get(c, ())):
            hits[i] = 1.0
    return hits


def category_proba(model: LinearModel, meta: dict, text: str, cleaned: str | None = None) -> np.ndarray | None:
    """Calibrated class probabilities for raw text: model scores + keyword prior.

    The keyword prior carries the classes that have little real data. It fades
    with length: in a short WeChat message a keyword is the topic, in a long
    board post it is often incidental.
    """
    from .normalize import clean, remove_stop_words

    if cleaned is None:
        cleaned = clean(text)
    # Stop words are removed from a bounded head only: n-grams stop at MAX_CHARS anyway.
    z = model.logits(remove_stop_words(cleaned[: MAX_CHARS * 3 // 2], tuple(meta["stop_words"])))
    fade = min(1.0, float(meta.get("keyword_span", 40)) / max(len(cleaned), 1)) ** 2
    # Below ~5% of its strength the prior cannot matter; skip the scan for long texts.
    hits = keyword_hits(cleaned, model.classes, meta.get("keywords", {})) if fade > 0.05 else np.zeros(len(model.classes))
    if z is None:
        if not hits.any():
            return None
        z = np.zeros(len(model.classes))
    boost = float(meta.get("keyword_boost", 0.0)) * fade
    # Short messages have their own temperature: keyword-boosted scores of a
    # ten-character message are not as sure as the same score on a long post.
    short = len(cleaned) <= int(meta.get("keyword_span", 40))
    temperature = float(meta.get("temperature_short", model.temperature)) if short else model.temperature
    z = (z + boost * hits) / temperature
    z = np.exp(z - z.max())
    return z / z.sum()
