"""Answers → 0–100 points per scale (STATISTICS.md §1.2, §0 step 1).

"不了解" arrives as a missing answer (NaN) and stays missing: it is excluded from the
denominator, never scored 0. An answer that is not on the item's scale is an input error.
"""

from __future__ import annotations

import numpy as np

from analysis.config import Scale


def to_points(answers: np.ndarray, scale: Scale, item: str = "") -> np.ndarray:
    """Map raw answers (float array, NaN = 不了解) to 0–100 points; NaN stays NaN.

    ``linear``: ``100·(x − low)/(high − low)`` for ``low ≤ x ≤ high``; ``table``: the listed
    score of each answer. Raises ``ValueError`` naming the item for answers off the scale.
    """
    x = np.asarray(answers, dtype=float)
    if scale.kind == "linear":
        out = (x - scale.low) * (100.0 / (scale.high - scale.low))
        # fmin/fmax skip NaN: one cheap range check; the detailed mask only on failure.
        if not len(x) or (np.fmin.reduce(x) >= scale.low and np.fmax.reduce(x) <= scale.high):
            return out
        bad = ~np.isnan(x) & ((x < scale.low) | (x > scale.high))
    else:
        answered = ~np.isnan(x)
        codes = np.array([a for a, _ in scale.points])
        points = np.array([p for _, p in scale.points])
        pos = np.clip(np.searchsorted(codes, np.where(answered, x, codes[0])), 0, len(codes) - 1)
        bad = answered & (codes[pos] != x)
        out = np.where(answered, points[pos], np.nan)
    if bad.any():
        examples = np.unique(x[bad])[:5].tolist()
        raise ValueError(
            f"item {item!r}: answers {examples} are not on its scale "
            f"({_describe(scale)}); 不了解 must be given as a missing value"
        )
    return out


def _describe(scale: Scale) -> str:
    if scale.kind == "linear":
        return f"linear {scale.low:g}–{scale.high:g}"
    return "table " + ", ".join(f"{a:g}→{p:g}" for a, p in scale.points)
