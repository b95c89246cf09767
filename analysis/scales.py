"""Answers → 0–100 points per scale (STATISTICS.md §1.2, §0 step 1).

"不了解" arrives as a missing answer (NaN) and stays missing: it is excluded from the
denominator, never scored 0. An answer that is not one of the scale's points (3.5 on a 1–5
item, 6, 0) is an input error: :class:`OffScale` names the item and the rows.
"""

from __future__ import annotations

import numpy as np

from analysis.config import Scale


class OffScale(ValueError):
    """Answers not on an item's scale; ``rows`` are their positions in the answer array."""

    def __init__(self, item: str, scale: Scale, rows: np.ndarray, values: np.ndarray):
        self.item, self.scale, self.rows, self.values = item, scale, rows, values
        super().__init__(self.at(f"rows {rows[:10].tolist()}"))

    def at(self, where: str) -> str:
        """The message with the rows described by ``where`` (e.g. their response ids)."""
        examples = np.unique(self.values)[:5].tolist()
        return (
            f"item {self.item!r}: answers {examples} are not on its scale "
            f"({describe(self.scale)}) at {where}; 不了解 must be given as a missing value"
        )


def to_points(answers: np.ndarray, scale: Scale, item: str = "") -> np.ndarray:
    """Map raw answers (float array, NaN = 不了解) to 0–100 points; NaN stays NaN.

    ``linear``: ``100·(x − low)/(high − low)`` for the answers ``low, low + step, …, high``
    (any value in the range when ``step = 0``); ``table``: the listed score of each answer.
    Raises :class:`OffScale` (a ``ValueError``) naming the item and rows of bad answers.
    """
    x = np.asarray(answers, dtype=float)
    if scale.kind == "linear":
        shifted = x - scale.low
        out = shifted * (100.0 / (scale.high - scale.low))
        # fmin/fmax skip NaN: one cheap range check; the detailed mask only on failure.
        inside = not len(x) or (np.fmin.reduce(x) >= scale.low and np.fmax.reduce(x) <= scale.high)
        if inside and scale.step == 0:
            return out
        if scale.step == 1:
            steps = shifted  # x / 1 is x
        else:
            steps = shifted / scale.step if scale.step > 0 else np.zeros_like(x)
        gap = np.rint(steps)  # |steps − rint(steps)| in place: two fewer 10⁶-row arrays
        np.subtract(steps, gap, out=gap)
        off_grid = np.abs(gap, out=gap) > 1e-9
        if inside and not off_grid.any():
            return out
        bad = ~np.isnan(x) & ((x < scale.low) | (x > scale.high) | off_grid)
    else:
        answered = ~np.isnan(x)
        codes = np.array([a for a, _ in scale.points])
        points = np.array([p for _, p in scale.points])
        pos = np.clip(np.searchsorted(codes, np.where(answered, x, codes[0])), 0, len(codes) - 1)
        bad = answered & (codes[pos] != x)
        out = np.where(answered, points[pos], np.nan)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise OffScale(item, scale, rows, x[rows])
    return out


def describe(scale: Scale) -> str:
    if scale.kind == "linear":
        step = (
            "" if scale.step == 1 else (", any value" if scale.step == 0 else f" by {scale.step:g}")
        )
        return f"linear {scale.low:g}–{scale.high:g}{step}"
    return "table " + ", ".join(f"{a:g}→{p:g}" for a, p in scale.points)
