"""The linear models the training fits (scikit-learn at training time only):
class weights, the character n-gram linear SVM with its optional NB-SVM half,
and the softmax temperature. Shared by the category/intent training (train.py)
and the urgency training (train_urgency.py)."""
from __future__ import annotations

from collections import Counter

import numpy as np

from .features import char_ngrams, head_ngrams

NB_ALPHA = 1.0  # smoothing of the NB log-count ratios


def class_weights(labels: list[str]) -> dict[str, float]:
    """Square-root balancing: lifts thin classes without drowning big ones."""
    counts = Counter(labels)
    top = max(counts.values())
    return {c: (top / n) ** 0.5 for c, n in counts.items()}


def nb_svm(X, labels: np.ndarray, weights: np.ndarray, sample_weight: np.ndarray, C: float, classes, n_dense: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest NB-SVM (Wang & Manning 2012): for each class, features are
    scaled by the log-count ratio r of binarised n-gram presence in the class vs
    the rest, and a linear SVM is fit on the scaled features. Since
    w . (r * x) = (w * r) . x, the result is an ordinary linear layer."""
    from sklearn.svm import LinearSVC

    present = X.copy()
    present.data[:] = 1.0
    coef = np.zeros((len(classes), X.shape[1]))
    bias = np.zeros(len(classes))
    for j, c in enumerate(classes):
        pos = labels == c
        p = NB_ALPHA + np.asarray(present[pos].T @ weights[pos]).ravel()
        q = NB_ALPHA + np.asarray(present[~pos].T @ weights[~pos]).ravel()
        r = np.log((p / p.sum()) / (q / q.sum()))
        if n_dense:
            r[-n_dense:] = 1.0  # a dense column has no presence count: left as it is
        clf = LinearSVC(C=C, random_state=0, max_iter=5000)
        clf.fit(X.multiply(r).tocsr(), pos.astype(int), sample_weight=sample_weight)
        coef[j] = clf.coef_[0] * r
        bias[j] = clf.intercept_[0]
    return coef, bias


def fit_linear(texts: list[str], labels: list[str], weights: list[float], C: float, classes: tuple[str, ...], head_weight: float = 0.0, nb_mix: float = 0.0,
               static=None, static_weight: float = 0.0):
    """TF-IDF n-gram blocks (+ the optional static embedding block, static.py)
    and a linear SVM; returns (terms, idf, coef, bias, short, folded), where
    `folded` is None or the static block's layer folded into the piece table
    (static_fold)."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    vec = TfidfVectorizer(analyzer=char_ngrams, min_df=2, sublinear_tf=True, dtype=np.float64)
    X = vec.fit_transform(texts)
    terms = vec.get_feature_names_out().tolist()
    idf = vec.idf_
    head = TfidfVectorizer(analyzer=head_ngrams, min_df=2, sublinear_tf=True, dtype=np.float64)
    try:
        H = head.fit_transform(texts) if head_weight else None
    except ValueError:  # no head n-gram occurs twice (a tiny set of short texts)
        H = None
    if H is not None:
        X = sp.hstack([X, head_weight * H]).tocsr()
        terms += head.get_feature_names_out().tolist()
        idf = np.concatenate([idf, head.idf_])
    n_main = len(vec.idf_)
    n_dense = 0
    if static is not None and static_weight:
        D = static.embed_many(texts)
        # One scale for the whole block, so a typical message's block has
        # norm static_weight (the n-gram blocks have norm 1 and head_weight).
        norms = np.linalg.norm(D, axis=1)
        scale = static_weight / float(np.median(norms[norms > 0]))
        X = sp.hstack([X, sp.csr_matrix(scale * D)]).tocsr()
        n_dense = D.shape[1]
    cw = class_weights(labels)
    w = np.asarray([wt * cw[y] for wt, y in zip(weights, labels)])
    # A linear SVM trains in seconds where lbfgs logistic regression took
    # minutes; its scores are turned into probabilities by a softmax whose
    # temperature is fitted on dev.
    clf = LinearSVC(C=C, random_state=0, max_iter=5000)
    clf.fit(X, labels, sample_weight=w)
    # Classes go in the package's fixed order; absent classes get -inf-ish bias.
    # LinearSVC gives one row for two classes (binary case): expand it.
    rows = clf.coef_ if len(clf.classes_) > 2 else np.vstack([-clf.coef_[0], clf.coef_[0]])
    icpt = clf.intercept_ if len(clf.classes_) > 2 else np.array([-clf.intercept_[0], clf.intercept_[0]])
    short = None
    if nb_mix:
        # Short texts keep the plain SVM: in CV over our short seed examples
        # the NB-SVM half did not help them (it did on board posts).
        ordered = _in_order(rows, classes, clf.classes_, 0.0)
        short = (ordered[:, :n_main], _in_order(icpt, classes, clf.classes_, -30.0), ordered[:, X.shape[1] - n_dense:])
        # Averaging two linear layers over the same features is one linear layer: free at runtime.
        nb_coef, nb_bias = nb_svm(X, np.asarray(labels), np.asarray(weights, dtype=float), w, C, clf.classes_, n_dense)
        rows = (1 - nb_mix) * rows + nb_mix * nb_coef
        icpt = (1 - nb_mix) * icpt + nb_mix * nb_bias
    coef = _in_order(rows, classes, clf.classes_, 0.0)
    folded = None
    if n_dense:
        dense_coef = coef[:, X.shape[1] - n_dense:]
        coef = coef[:, : X.shape[1] - n_dense]
        folded = (static_fold(static, scale, dense_coef), None if short is None else static_fold(static, scale, short[2]))
    if short is not None:
        short = short[:2]
    return terms, idf, coef, _in_order(icpt, classes, clf.classes_, -30.0), short, folded


def static_fold(static, scale: float, dense_coef: np.ndarray) -> np.ndarray:
    """(pieces x classes): each piece's vector through the block's layer.
    The block is a weighted mean of piece vectors, so its scores are the same
    weighted mean of these rows."""
    return scale * (np.asarray(static.vectors, dtype=np.float64) @ dense_coef.T)


def _in_order(values: np.ndarray, classes: tuple[str, ...], fitted, fill: float) -> np.ndarray:
    """Rows (or entries) in the package's fixed class order; absent classes get `fill`."""
    out = np.full((len(classes),) + values.shape[1:], fill)
    for i, c in enumerate(fitted):
        out[classes.index(c)] = values[i]
    return out


def fit_temperature(Z: list, classes: tuple[str, ...], labels: list[str]) -> float:
    """Temperature minimising dev log-loss (calibrated confidences), given raw scores."""
    pairs = [(z, classes.index(y)) for z, y in zip(Z, labels) if z is not None]
    best = (float("inf"), 1.0)
    for T in np.exp(np.linspace(np.log(0.05), np.log(5.0), 121)):
        nll = 0.0
        for z, y in pairs:
            s = z / T
            s = s - s.max()
            nll -= s[y] - np.log(np.exp(s).sum())
        best = min(best, (nll / max(len(pairs), 1), float(T)))
    return round(best[1], 4)
