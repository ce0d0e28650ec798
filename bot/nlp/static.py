"""Static token embeddings: a dense feature block beside the character n-grams.

The pieces are the Chinese (and digit/Latin) pieces of one to three
characters of a SentencePiece vocabulary (the multilingual Universal Sentence
Encoder's). A message's bag of pieces is every piece that occurs in its
normalised text, found with the same 1-3-gram keys the TF-IDF block uses
(grams.text_keys), so it costs one more sorted look-up, not a segmentation
in Python. The block is the SIF-weighted mean of the piece vectors, weights
a / (a + p(piece)) with p from the unigram scores (log-probabilities): 的
counts about a third of 取消.

Since the block is linear in the piece vectors, the layer over it folds into
the table: a model stores, per piece, its vector times the layer's weights
(pieces x classes) and the SIF weight, so at run time the block costs a
gather of a few hundred rows of 16 numbers. The vectors themselves are
needed only while training (bot/nlp/static_build.py, which may use the
encoder package; the runtime never does).
"""
from __future__ import annotations

import numpy as np

from .grams import GramIndex, text_keys

SIF_A = 1e-3  # SIF smoothing: pieces more frequent than ~0.1% are damped


def sif_weights(scores: np.ndarray) -> np.ndarray:
    return (SIF_A / (SIF_A + np.exp(np.asarray(scores, dtype=np.float64)))).astype(np.float32)


class StaticTable:
    """Piece vocabulary with one SIF weight and one vector (or folded row) per piece."""

    def __init__(self, pieces: list[str], weights: np.ndarray, vectors: np.ndarray, index: GramIndex | None = None):
        if not (len(pieces) == len(weights) == len(vectors)):
            raise ValueError("pieces, weights and vectors must have the same length")
        self.pieces = pieces
        self.weights = np.asarray(weights, dtype=np.float32)
        self.vectors = vectors
        self.index = index if index is not None else GramIndex(pieces)

    def bag(self, keys: np.ndarray) -> np.ndarray:
        """Piece ids found among a text's n-gram keys (repeats kept)."""
        return self.index.lookup(keys)

    def pool(self, ids: np.ndarray) -> np.ndarray | None:
        """SIF-weighted mean of the rows of `ids` (None for an empty bag)."""
        if not ids.size:
            return None
        w = self.weights[ids]
        return (w @ np.asarray(self.vectors[ids], dtype=np.float32)) / w.sum()

    def embed_many(self, texts: list[str]) -> np.ndarray:
        """The block for each (normalised) text; zeros for an empty bag."""
        out = np.zeros((len(texts), self.vectors.shape[1]), dtype=np.float32)
        for i, t in enumerate(texts):
            v = self.pool(self.bag(text_keys(t)))
            if v is not None:
                out[i] = v
        return out
