"""Location, spread and satisfaction per agency × group × dimension (STATISTICS.md §2.2–2.3).

Respondent scores take few distinct values, so each group is stored as a histogram per agency
("cell"): the distinct score vectors and how many respondents gave each. Every statistic
below is computed from those counts — exactly the same numbers as from the raw rows — and the
bootstrap (``analysis.uncertainty``) resamples respondents by drawing new counts.

- Trimmed mean with ``g`` per side (``g = trim_count`` when set, e.g. 1 = 去掉最高最低分, else
  ``g = ⌊γ·n⌋``; none below ``trim_min_n``): ``T = Σ_{i=g+1}^{n−g} x_(i) / (n − 2g)`` by
  explicit sort-and-slice. ``scipy.stats.trim_mean`` is deliberately not used: it cuts
  ``⌊γn⌋`` too, which is 0 for n = 5, γ = 0.1 (84.4 instead of 89.67 on [60,88,90,91,93]).
- Yuen / Tukey–McLaughlin standard error ``s_w/((1 − 2γ)√n)``, ``s_w`` the winsorized SD, γ
  the configured proportion (``g/n`` for a fixed count), as ``scipy.stats.mstats.trimmed_stde``;
  interval ``T ± t_{h−1}·se``, ``h = n − 2g``. Mean: ``s/√n`` with ``t_{n−1}``.
- Satisfaction rate: share of respondents whose dimension score reaches
  ``satisfied_threshold``, with the Wilson interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.config import GroupConfig


def trim_count(n, group: GroupConfig):
    """Observations cut from each end for a cell of size ``n`` (array-friendly)."""
    n = np.asarray(n, dtype=float)
    if group.trim_count is not None:
        g = np.full(n.shape, float(group.trim_count))
    else:
        g = np.floor(group.trim * n + 1e-9)  # 0.29·100 is 28.999…: guard the floor
    g = np.where(n >= group.trim_min_n, g, 0.0)
    return np.where(n - 2 * g >= 1, g, 0.0)


def trimmed_mean(values, trim: float = 0.0, count: int | None = None) -> float:
    """Textbook trimmed mean by sort-and-slice: drop ``count`` (or ``⌊trim·n⌋``) per side."""
    x = np.sort(np.asarray(values, dtype=float))
    x = x[~np.isnan(x)]
    g = int(count) if count is not None else math.floor(trim * len(x) + 1e-9)
    if len(x) - 2 * g < 1:
        return math.nan
    return float(x[g : len(x) - g].mean())


def wilson_interval(count, n, confidence: float = 0.95):
    """Wilson score interval for a proportion (arrays allowed); NaN where ``n == 0``."""
    count, n = np.asarray(count, dtype=float), np.asarray(n, dtype=float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    safe = np.where(n > 0, n, 1.0)
    p = count / safe
    centre = (p + z * z / (2 * safe)) / (1 + z * z / safe)
    half = z * np.sqrt(p * (1 - p) / safe + z * z / (4 * safe * safe)) / (1 + z * z / safe)
    low = np.where(n > 0, centre - half, np.nan)
    high = np.where(n > 0, centre + half, np.nan)
    return low, high


@dataclass(frozen=True)
class Block:
    """Joint histogram of one group's respondent scores over ``dims``, one row per cell.

    ``values[c, m, k]`` is dimension ``dims[k]`` of distinct score vector ``m`` in cell ``c``
    (NaN: the respondent has no score there, or padding); ``counts`` counts responses that
    the quality rule keeps, ``counts_all`` every response.
    """

    group: int
    dims: tuple[int, ...]
    agencies: np.ndarray
    values: np.ndarray
    counts: np.ndarray
    counts_all: np.ndarray


def build_blocks(
    scores: np.ndarray,
    agency: np.ndarray,
    idx: np.ndarray,
    excluded: np.ndarray,
    group: int,
    dim_sets: list[tuple[int, ...]],
) -> list[Block]:
    """Histograms of ``scores[idx]`` per agency; one block per tuple in ``dim_sets``."""
    blocks = []
    for dims in dim_sets:
        if len(dims) == 1:
            sub = scores[idx, dims[0]][:, None]
        else:
            sub = scores[np.ix_(idx, dims)]
        # Column by column: a reduction along a short row axis is ~20× slower at 10⁶ rows.
        present = ~np.logical_and.reduce([np.isnan(sub[:, k]) for k in range(sub.shape[1])])
        if not present.any():
            continue
        rows = idx[present]
        sub, ag, ex = sub[present], agency[rows], excluded[rows]
        combined = np.zeros(len(sub), dtype=np.int64)
        uniques = []
        for k in range(len(dims)):
            # Sorted codes: bins come out in value order, whatever the row order.
            codes, uniq = pd.factorize(sub[:, k], use_na_sentinel=False, sort=True)
            combined = combined * (len(uniq) + 1) + codes
            uniques.append(np.asarray(uniq, dtype=float))
        width = int(combined.max()) + 1
        key = ag.astype(np.int64) * width + combined
        if (int(ag.max()) + 1) * width <= 20_000_000:  # dense: plain bincounts, no hashing
            every = np.bincount(key)
            keys = np.flatnonzero(every)
            kept = (every - np.bincount(key[ex], minlength=len(every)))[keys].astype(float)
            every = every[keys].astype(float)
        else:
            codes, keys = pd.factorize(key)
            kept = np.bincount(codes, weights=~ex, minlength=len(keys))
            every = np.bincount(codes, minlength=len(keys)).astype(float)
        cell, joint = keys // width, keys % width
        entry_values = np.empty((len(keys), len(dims)))
        for k in range(len(dims) - 1, -1, -1):
            size = len(uniques[k]) + 1
            entry_values[:, k] = uniques[k][joint % size]
            joint //= size
        order = np.lexsort((keys % width, cell))  # by cell, then value codes
        cell = cell[order]
        cells, start, per_cell = np.unique(cell, return_index=True, return_counts=True)
        width_m = int(per_cell.max())
        pos = np.arange(len(cell)) - np.repeat(start, per_cell)
        row = np.repeat(np.arange(len(cells)), per_cell)
        values = np.full((len(cells), width_m, len(dims)), np.nan)
        counts = np.zeros((len(cells), width_m))
        counts_all = np.zeros((len(cells), width_m))
        values[row, pos] = entry_values[order]
        counts[row, pos] = kept[order]
        counts_all[row, pos] = every[order]
        blocks.append(Block(group, tuple(dims), cells, values, counts, counts_all))
    return blocks


def sorted_dimension(block: Block, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell, the order that sorts dimension ``k`` ascending (missing last), the sorted
    values (missing → 0) and a mask of real entries in that order."""
    v = block.values[:, :, k]
    valid = ~np.isnan(v)
    order = np.argsort(np.where(valid, v, np.inf), axis=1, kind="stable")
    v_sorted = np.take_along_axis(np.where(valid, v, 0.0), order, axis=1)
    return order, v_sorted, np.take_along_axis(valid, order, axis=1)


def location_stats(
    v: np.ndarray, c: np.ndarray, group: GroupConfig, threshold: float, trimmed: bool = True
) -> dict[str, np.ndarray]:
    """n, mean, variance, trimmed mean, g, winsorized variance and satisfied count per cell.

    ``v`` (cells, M) holds each cell's values sorted ascending (padding anywhere with count 0);
    ``c`` (..., cells, M) the counts — a leading axis carries bootstrap replicates.
    """
    n = c.sum(axis=-1)
    safe = np.where(n > 0, n, 1.0)
    mean = (c * v).sum(axis=-1) / safe
    dev2 = (c * (v - mean[..., None]) ** 2).sum(axis=-1)
    out = {
        "n": n,
        "mean": np.where(n > 0, mean, np.nan),
        "var": np.where(n > 1, dev2 / np.where(n > 1, n - 1, 1.0), np.nan),
        "satisfied": (c * (v >= threshold)).sum(axis=-1),
    }
    if not trimmed:
        return out
    g = trim_count(n, group)
    cum = np.cumsum(c, axis=-1)
    prev = cum - c
    overlap = np.clip(np.minimum(cum, (n - g)[..., None]) - np.maximum(prev, g[..., None]), 0, None)
    h = n - 2 * g
    tsum = (overlap * v).sum(axis=-1)
    tmean = tsum / np.where(h > 0, h, 1.0)
    last = v.shape[-1] - 1
    i_lo = np.minimum((cum <= g[..., None]).sum(axis=-1), last)
    i_hi = np.minimum((cum <= (n - g - 1)[..., None]).sum(axis=-1), last)
    x_lo = np.take_along_axis(np.broadcast_to(v, c.shape), i_lo[..., None], axis=-1)[..., 0]
    x_hi = np.take_along_axis(np.broadcast_to(v, c.shape), i_hi[..., None], axis=-1)[..., 0]
    w_mean = (tsum + g * (x_lo + x_hi)) / safe
    w_dev2 = (overlap * (v - w_mean[..., None]) ** 2).sum(axis=-1) + g * (
        (x_lo - w_mean) ** 2 + (x_hi - w_mean) ** 2
    )
    # γ of the Yuen SE: the configured proportion (as scipy's trimmed_stde and Wilcox's
    # trimse), or g/n when a fixed count is trimmed; 0 where nothing is trimmed.
    if group.trim_count is None:
        gamma = np.where(g > 0, group.trim, 0.0)
    else:
        gamma = g / safe
    out.update(
        trimmed=np.where(h > 0, tmean, np.nan),
        g=g,
        gamma=gamma,
        wvar=np.where(n > 1, w_dev2 / np.where(n > 1, n - 1, 1.0), np.nan),
    )
    return out


def cell_summary(
    stats_: dict[str, np.ndarray], group: GroupConfig, confidence: float
) -> dict[str, np.ndarray]:
    """Standard errors and t intervals of the mean and the trimmed mean; Wilson for 满意率."""
    n, g = stats_["n"], stats_["g"]
    h = n - 2 * g
    with np.errstate(invalid="ignore", divide="ignore"):
        se_mean = np.sqrt(stats_["var"] / n)
        se_trim = np.sqrt(stats_["wvar"]) / ((1 - 2 * stats_["gamma"]) * np.sqrt(n))
        q = 0.5 + confidence / 2
        t_mean = stats.t.ppf(q, np.where(n > 1, n - 1, np.nan))
        t_trim = stats.t.ppf(q, np.where(h > 1, h - 1, np.nan))
        rate = np.where(n > 0, stats_["satisfied"] / np.where(n > 0, n, 1), np.nan)
    sat_low, sat_high = wilson_interval(stats_["satisfied"], n, confidence)
    mean, trimmed = stats_["mean"], stats_["trimmed"]
    return {
        "se_mean": se_mean,
        "mean_ci": _clip(mean - t_mean * se_mean, mean + t_mean * se_mean),
        "se_trimmed": se_trim,
        "trimmed_ci": _clip(trimmed - t_trim * se_trim, trimmed + t_trim * se_trim),
        "satisfaction": rate,
        "satisfaction_ci": (sat_low, sat_high),
    }


def _clip(low, high):
    """Intervals stay on the 0–100 scale (a t interval near 100 would pass it)."""
    return np.clip(low, 0.0, 100.0), np.clip(high, 0.0, 100.0)
