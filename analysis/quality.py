"""Response-quality flags (STATISTICS.md §4.4; rules and defaults in ``QualityConfig``).

Flags are kept, never deleted: a response is *excluded* from scoring by rule (by default any
flag excludes it) unless it carries the supervisor's ``keep_flag``; the evaluation also reports
its result with the flagged responses included.

- ``too_fast``: ``duration < max(seconds_per_item · items asked, median_ratio · median)``,
  the median taken over the response's group (one questionnaire per group).
- ``straight_line``: every answered item has the same answer (at least
  ``straightline_min_items`` answers) **and** ``duration < straightline_median_ratio ·
  median``. In satisfaction data "all 满意" is often genuine, so uniformity alone is no flag.
- ``burst``: per agency × group (groups with ``burst_check``), hourly counts; the baseline
  ``λ̂`` is the agency's median count over hours with any response (robust to the burst
  itself); an hour with ``x ≥ burst_min_count`` and Poisson ``P(X ≥ x | λ̂) < burst_p``
  flags all its responses for review.
- Flags already in the ``flags`` column (honeypot, duplicate, …; separated by commas,
  semicolons or spaces, or given as a list) are carried through by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from analysis.config import EvaluationConfig

if TYPE_CHECKING:  # prepare computes the time-based flags below while it encodes items
    from analysis.prepare import Prepared

COMPUTED = ("too_fast", "straight_line", "burst")


@dataclass(frozen=True)
class Flags:
    """Per-response flag columns (``names`` → bool arrays) and the exclusion rule's verdict."""

    names: tuple[str, ...]
    matrix: np.ndarray  # (N, len(names)) bool
    excluded: np.ndarray  # (N,) bool
    kept_by_review: np.ndarray  # (N,) bool: flagged but carries keep_flag
    medians: dict[str, float]
    any: np.ndarray  # (N,) bool: carries any flag

    def column(self, name: str) -> np.ndarray:
        return self.matrix[:, self.names.index(name)]


def group_medians(duration: np.ndarray, group_rows: list[np.ndarray]) -> np.ndarray:
    """Median response time per group (NaN durations ignored)."""
    out = np.full(len(group_rows), np.nan)
    for g, rows in enumerate(group_rows):
        chunk = duration[rows]
        chunk = chunk[~np.isnan(chunk)]
        if len(chunk):
            out[g] = np.median(chunk)
    return out


def bursts(
    agency: np.ndarray,
    group: np.ndarray,
    hour: np.ndarray,
    groups: tuple[str, ...],
    n_agencies: int,
    config: EvaluationConfig,
) -> np.ndarray:
    """Responses in an hour whose count is improbable for that agency (module docstring)."""
    n_groups = len(groups)
    on = np.array([config.groups[name].burst_check for name in groups])
    valid = on[group] & (hour >= 0)
    if not valid.any():
        return np.zeros(len(agency), dtype=bool)
    low = hour[valid].min()
    span = int(hour[valid].max() - low) + 1
    n_cells = n_agencies * n_groups
    if n_cells * span > 20_000_000:  # a very long time span: hash the hours that occur
        return _bursts_sparse(agency, group, hour, valid, span, low, n_groups, config)
    # Dense cells × hours over all rows at once; rows not checked go to one extra bin.
    key = (agency * n_groups + group) * span + (hour - low)
    key[~valid] = n_cells * span
    counts = np.bincount(key, minlength=n_cells * span + 1)[:-1]
    keys = np.flatnonzero(counts)
    hot = _hot_hours(keys // span, counts[keys], config)
    dense = np.zeros(n_cells * span + 1, dtype=bool)
    dense[keys[hot]] = True
    return dense[key]


def _bursts_sparse(agency, group, hour, valid, span, low, n_groups, config) -> np.ndarray:
    idx = np.flatnonzero(valid)
    codes, keys = pd.factorize((agency[idx] * n_groups + group[idx]) * span + hour[idx] - low)
    x = np.bincount(codes)
    order = np.argsort(keys, kind="stable")
    hot = np.zeros(len(keys), dtype=bool)
    hot[order] = _hot_hours(keys[order] // span, x[order], config)
    flag = np.zeros(len(agency), dtype=bool)
    flag[idx] = hot[codes]
    return flag


def _hot_hours(cells: np.ndarray, x: np.ndarray, config: EvaluationConfig) -> np.ndarray:
    """Which hours (``cells`` ascending, ``x`` their counts) are improbable under Poisson(λ̂),
    ``λ̂`` the cell's median count over its non-empty hours."""
    top = int(x.max())
    ids, start, size = np.unique(cells, return_index=True, return_counts=True)
    row = np.repeat(np.arange(len(ids)), size)
    if len(ids) * (top + 1) <= 20_000_000:  # median from a histogram of counts per cell
        hist = np.bincount(row * (top + 1) + x, minlength=len(ids) * (top + 1))
        cum = np.cumsum(hist.reshape(len(ids), top + 1), axis=1)
        lower = (cum <= ((size - 1) // 2)[:, None]).sum(axis=1)
        upper = (cum <= (size // 2)[:, None]).sum(axis=1)
        median = (lower + upper) / 2
    else:
        xs = x[np.lexsort((x, row))]
        median = (xs[start + (size - 1) // 2] + xs[start + size // 2]) / 2
    lam = np.maximum(median[row], 1.0)
    q = config.quality
    hot = x >= q.burst_min_count
    cand = np.flatnonzero(hot)
    hot[cand] = stats.poisson.sf(x[cand] - 1, lam[cand]) < q.burst_p
    return hot


def compute_flags(prep: Prepared, config: EvaluationConfig) -> Flags:
    """All quality flags for every response and which responses the rule excludes."""
    q = config.quality
    speed_groups = np.array([config.groups[g].speed_check for g in prep.groups])
    median = prep.duration_median
    n_asked = prep.asked.sum(axis=1)
    limit = np.maximum(q.seconds_per_item * n_asked, q.median_ratio * median)
    row_median = median[prep.group]
    checked = speed_groups[prep.group] & ~np.isnan(prep.duration)
    too_fast = checked & (prep.duration < limit[prep.group])

    # Uniform answers only matter for quick responses: test those rows alone.
    quick = np.flatnonzero(checked & (prep.duration < q.straightline_median_ratio * row_median))
    raw = prep.raw[quick]
    n_answered = (~np.isnan(raw)).sum(axis=1)
    low = np.fmin.reduce(raw, axis=1) if raw.shape[1] else np.zeros(len(quick))
    high = np.fmax.reduce(raw, axis=1) if raw.shape[1] else np.zeros(len(quick))
    straight = np.zeros(prep.n, dtype=bool)
    straight[quick] = (n_answered >= q.straightline_min_items) & (low == high)

    burst = prep.burst

    input_names, input_matrix = prep.input_flags
    names = list(COMPUTED) + [n for n in input_names if n not in COMPUTED]
    matrix = np.zeros((prep.n, len(names)), dtype=bool)
    matrix[:, 0], matrix[:, 1], matrix[:, 2] = too_fast, straight, burst
    for j, name in enumerate(input_names):
        matrix[:, names.index(name)] |= input_matrix[:, j]

    keep_col = names.index(q.keep_flag) if q.keep_flag in names else None
    rule = [
        j
        for j, name in enumerate(names)
        if name != q.keep_flag and ("*" in q.exclude or name in q.exclude)
    ]
    hit = matrix[:, rule].any(axis=1) if rule else np.zeros(prep.n, dtype=bool)
    reviewed = matrix[:, keep_col] if keep_col is not None else np.zeros(prep.n, dtype=bool)
    return Flags(
        names=tuple(names),
        matrix=matrix,
        excluded=hit & ~reviewed,
        kept_by_review=hit & reviewed,
        medians={g: float(median[i]) for i, g in enumerate(prep.groups)},
        any=_any_column(matrix),
    )


def _any_column(matrix: np.ndarray) -> np.ndarray:
    """``matrix.any(axis=1)`` column by column (the row-wise reduction over a handful of
    columns is ~8× slower on 10⁶ rows)."""
    out = np.zeros(len(matrix), dtype=bool)
    for j in range(matrix.shape[1]):
        out |= matrix[:, j]
    return out


def flag_table(prep: Prepared, flags: Flags) -> pd.DataFrame:
    """One row per flagged response: ``response_id``, ``group``, ``agency_id``, ``reasons``
    (comma-separated) and ``excluded``."""
    rows = np.flatnonzero(flags.any)
    sub = flags.matrix[rows]
    if sub.shape[1] <= 62:  # one integer per row: unique patterns without a row sort
        key = sub @ (np.int64(1) << np.arange(sub.shape[1], dtype=np.int64))
        patterns, codes = np.unique(key, return_inverse=True)
        patterns = (patterns[:, None] >> np.arange(sub.shape[1])) & 1
    else:
        patterns, codes = np.unique(sub, axis=0, return_inverse=True)
    names = [",".join(n for n, on in zip(flags.names, p, strict=True) if on) for p in patterns]
    codes = codes.reshape(-1)
    reasons = np.array(names, dtype=object)[codes] if len(names) else np.array([], dtype=object)
    return pd.DataFrame(
        {
            "response_id": prep.response_id.to_numpy()[rows],
            "group": np.array(prep.groups, dtype=object)[prep.group[rows]],
            "agency_id": prep.agencies.to_numpy()[prep.agency[rows]],
            "reasons": reasons,
            "excluded": flags.excluded[rows],
        }
    )


def flag_counts(prep: Prepared, flags: Flags) -> pd.DataFrame:
    """Responses per group: received, flagged by each reason, excluded, used."""
    n_groups = len(prep.groups)
    rows = np.flatnonzero(flags.any)  # few: count flags on the flagged rows only
    group = prep.group[rows]
    data = {"received": np.bincount(prep.group, minlength=n_groups)}
    for j, name in enumerate(flags.names):
        data[name] = np.bincount(group, weights=flags.matrix[rows, j], minlength=n_groups)
    for name in ("kept_by_review", "excluded"):
        data[name] = np.bincount(group, weights=getattr(flags, name)[rows], minlength=n_groups)
    table = pd.DataFrame(data, index=pd.Index(prep.groups, name="group")).astype(np.int64)
    table["used"] = table["received"] - table["excluded"]
    return table
