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

import numpy as np
import pandas as pd
from scipy import stats

from analysis.config import EvaluationConfig
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


def _group_median(values: np.ndarray, group_rows: list[np.ndarray]) -> np.ndarray:
    out = np.full(len(group_rows), np.nan)
    for g, rows in enumerate(group_rows):
        chunk = values[rows]
        chunk = chunk[~np.isnan(chunk)]
        if len(chunk):
            out[g] = np.median(chunk)
    return out


def _bursts(prep: Prepared, config: EvaluationConfig) -> np.ndarray:
    flag = np.zeros(prep.n, dtype=bool)
    checked = [
        rows
        for name, rows in zip(prep.groups, prep.group_rows, strict=True)
        if config.groups[name].burst_check
    ]
    idx = np.concatenate(checked) if checked else np.zeros(0, dtype=np.int64)
    idx = idx[prep.hour[idx] >= 0]
    if not len(idx):
        return flag
    hour = prep.hour[idx] - prep.hour[idx].min()
    span = int(hour.max()) + 1
    cell = prep.agency[idx] * len(prep.groups) + prep.group[idx]
    key = cell * span + hour
    if len(prep.agencies) * len(prep.groups) * span <= 20_000_000:
        counts = np.bincount(key)  # dense cells × hours: no hashing
        keys = np.flatnonzero(counts)
        x = counts[keys]
        lookup = counts
    else:  # a very long time span: hash only the hours that occur
        codes, keys = pd.factorize(key)
        x = np.bincount(codes)
        lookup = None
    cells = keys // span  # keys ascend, so each cell's hours are contiguous
    order = np.lexsort((x, cells))
    xs = x[order]
    _, start, size = np.unique(cells, return_index=True, return_counts=True)
    median = (xs[start + (size - 1) // 2] + xs[start + size // 2]) / 2
    lam = np.maximum(np.repeat(median, size), 1.0)
    q = config.quality
    hot = x >= q.burst_min_count
    cand = np.flatnonzero(hot)
    hot[cand] = stats.poisson.sf(x[cand] - 1, lam[cand]) < q.burst_p
    if hot.any():
        if lookup is not None:
            dense = np.zeros(len(lookup), dtype=bool)
            dense[keys[hot]] = True
            flag[idx] = dense[key]
        else:
            flag[idx] = hot[codes]
    return flag


def compute_flags(prep: Prepared, config: EvaluationConfig) -> Flags:
    """All quality flags for every response and which responses the rule excludes."""
    q = config.quality
    speed_groups = np.array([config.groups[g].speed_check for g in prep.groups])
    median = _group_median(prep.duration, prep.group_rows)
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

    burst = _bursts(prep, config)

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
        any=matrix.any(axis=1),
    )


def flag_table(prep: Prepared, flags: Flags) -> pd.DataFrame:
    """One row per flagged response: ``response_id``, ``group``, ``agency_id``, ``reasons``
    (comma-separated) and ``excluded``."""
    rows = np.flatnonzero(flags.any)
    patterns, codes = np.unique(flags.matrix[rows], axis=0, return_inverse=True)
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
