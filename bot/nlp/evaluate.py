"""Metrics and the report printed by `liaison nlp eval` (no sklearn needed)."""

from __future__ import annotations

from collections import Counter


def scores(gold: list[str], pred: list[str], keys: tuple[str, ...] | None = None) -> dict:
    """Accuracy, macro-F1 over the gold labels, per-class F1 and a confusion table."""
    labels = sorted(set(gold))
    pairs = Counter(zip(gold, pred))
    per_class = {}
    for c in labels:
        tp = pairs[(c, c)]
        fp = sum(n for (g, p), n in pairs.items() if p == c and g != c)
        fn = sum(n for (g, p), n in pairs.items() if g == c and p != c)
        per_class[c] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    out = {
        "n": len(gold),
        "accuracy": round(sum(g == p for g, p in zip(gold, pred)) / max(len(gold), 1), 4),
        "macro_f1": round(sum(per_class.values()) / max(len(per_class), 1), 4),
        "per_class_f1": per_class,
        "confusion": {g: {p: n for (gg, p), n in sorted(pairs.items()) if gg == g} for g in labels},
    }
    return {k: out[k] for k in keys} if keys else out


def report(result: dict) -> str:
    """Plain-text report: headline figures, per-class F1, confusion table."""
    lines = [
        f"n={result['n']}  accuracy={result['accuracy']:.4f}  macro-F1={result['macro_f1']:.4f}",
        "",
        "per-class F1:",
    ]
    for c, f1 in sorted(result["per_class_f1"].items(), key=lambda kv: -kv[1]):
        lines.append(f"  {c:<10} {f1:.4f}")
    gold = list(result["confusion"])
    cols = sorted({p for row in result["confusion"].values() for p in row})
    lines += ["", "confusion (rows gold, columns predicted):", "gold\\pred\t" + "\t".join(cols)]
    for g in gold:
        lines.append(g + "\t" + "\t".join(str(result["confusion"][g].get(p, 0)) for p in cols))
    return "\n".join(lines)
