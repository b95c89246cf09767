"""Rank intervals, tie groups and grade bands with uncertainty (STATISTICS.md §5).

Rank intervals (Mogstad, Romano, Shaikh & Wilhelm 2024, REStud; implemented from the paper):
for agencies j, k in one ranking scope, ``Δ̂_jk = θ̂_j − θ̂_k`` and bootstrap ``Δ*_jk``;
``se_jk`` the bootstrap SD of ``Δ*_jk`` (this keeps the correlation from shared raters);
critical value ``c`` = the ``confidence`` quantile of ``max |Δ*_jk − Δ̂_jk|/se_jk`` — over all
pairs (``simultaneous``: the intervals hold for all agencies at once) or over k for each j
(``marginal``). With ``N⁺_j = #{k: Δ̂_kj − c·se > 0}`` (surely better) and ``N⁻_j`` (surely
worse) the rank set is ``[1 + N⁺_j, p − N⁻_j]`` (rank 1 = best).

Tie groups (并列): agencies in order of their point score; a group starts at its best member
and takes every following agency that is not distinguishable from it by the same pairwise
intervals. Pairwise "not different" is not transitive; anchoring on the leader keeps groups
contiguous and deterministic.

Bands (优秀/良好/一般/较差): composite ≥ ``bands.excellent`` / ``good`` / ``fair``; with
``excellent_quota`` at most that share of a scope is 优秀 (the best by point score).
``P(band)`` from the draws. Borderline (临界): the composite interval straddles a threshold
(``band_rule = "interval"``) or no band reaches ``band_probability`` (``"probability"``), or a
tie group spans two bands. ``tie_rule = "upper"`` gives each tie group its best member's band
("agencies whose difference is within the uncertainty share a band", SPEC §4.7);
``"point"`` keeps each agency's own band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.config import BAND_LABELS, BANDS, EvaluationConfig
from analysis.uncertainty import column_quantile

_MAX_FLOATS = 4_000_000  # elements per block of (B, rows, p) differences


def _pair_stats(point: np.ndarray, draws: np.ndarray):
    """se_jk (p, p) and, per replicate, the max standardized deviation per row (B, p).

    ``se_jk² = var_j + var_k − 2 cov_jk`` from the draws' covariance; the deviation of a
    replicate's difference from the point difference is ``e_j − e_k`` with ``e = θ* − θ̂``.
    """
    b, p = draws.shape
    if b < 2:
        return np.zeros((p, p)), np.zeros((b, p))
    cov = np.cov(draws, rowvar=False).reshape(p, p)
    var = np.diag(cov)
    se = np.sqrt(np.maximum(var[:, None] + var[None, :] - 2 * cov, 0.0))
    # float32 halves the memory traffic; plenty for a quantile of max ratios.
    inv = np.divide(1.0, se, out=np.zeros_like(se), where=se > 1e-12).astype(np.float32)
    e = (draws - point[None, :]).astype(np.float32)
    row_max = np.zeros((b, p), dtype=np.float32)
    step = max(1, _MAX_FLOATS // max(b * p, 1))
    for start in range(0, p, step):
        rows = slice(start, min(p, start + step))
        dev = np.abs(e[:, rows, None] - e[:, None, :])
        dev *= inv[None, rows]
        row_max[:, rows] = dev.max(axis=2)
    return se, row_max.astype(float)


def rank_intervals(point: np.ndarray, draws: np.ndarray, confidence: float, simultaneous: bool):
    """Rank, rank interval and the pairwise 'surely better' matrix for one scope."""
    ok = ~np.isnan(point)
    p_all = len(point)
    rank = np.full(p_all, np.nan)
    low = np.full(p_all, np.nan)
    high = np.full(p_all, np.nan)
    better = np.zeros((p_all, p_all), dtype=bool)
    idx = np.flatnonzero(ok)
    if not len(idx):
        return rank, low, high, better
    x = point[idx]
    d = np.nan_to_num(draws[:, idx], nan=0.0)
    d = np.where(np.isnan(draws[:, idx]), x[None, :], d)
    se, row_max = _pair_stats(x, d)
    if simultaneous:
        crit = np.full(len(idx), np.quantile(row_max.max(axis=1), confidence))
    else:
        crit = np.quantile(row_max, confidence, axis=0)
    delta = x[:, None] - x[None, :]  # Δ_jk = θ_j − θ_k, interval Δ_jk ± c_j·se_jk
    sure = delta - crit[:, None] * se > 0  # j surely better than k
    worse = delta + crit[:, None] * se < 0  # k surely better than j
    np.fill_diagonal(sure, False)
    np.fill_diagonal(worse, False)
    p = len(idx)
    n_better = worse.sum(axis=1)
    n_worse = sure.sum(axis=1)
    rank[idx] = pd.Series(x).rank(ascending=False, method="min").to_numpy()
    low[idx] = 1 + n_better
    high[idx] = p - n_worse
    better[np.ix_(idx, idx)] = sure
    return rank, low, high, better


def tie_groups(point: np.ndarray, better: np.ndarray) -> np.ndarray:
    """1-based tie-group ids (NaN for unscored), anchored on each group's best member."""
    out = np.full(len(point), np.nan)
    order = [i for i in np.argsort(-np.nan_to_num(point, nan=-np.inf), kind="stable")]
    order = [i for i in order if not np.isnan(point[i])]
    group, leader = 0, None
    for i in order:
        if leader is None or better[leader, i] or better[i, leader]:
            group, leader = group + 1, i
        out[i] = group
    return out


def band_of(values: np.ndarray, config: EvaluationConfig) -> np.ndarray:
    """Band index 0..3 (excellent..poor) by threshold; -1 for NaN."""
    t = config.bands
    out = np.full(np.shape(values), 3, dtype=np.int64)
    for i, name in reversed(list(enumerate(BANDS[:3]))):
        out = np.where(values >= t[name], i, out)
    return np.where(np.isnan(values), -1, out)


def _apply_quota(band: np.ndarray, values: np.ndarray, quota: float | None) -> np.ndarray:
    """At most ``⌊quota·p⌋`` agencies of the last axis are excellent (best by value)."""
    if quota is None:
        return band
    p = (~np.isnan(values)).sum(axis=-1, keepdims=True)
    order = np.argsort(-np.nan_to_num(values, nan=-np.inf), axis=-1, kind="stable")
    position = np.empty_like(order)
    np.put_along_axis(position, order, np.arange(values.shape[-1])[None] * 1, axis=-1)
    allowed = position < np.floor(quota * p + 1e-9)
    return np.where((band == 0) & ~allowed, 1, band)


def rank_and_band(
    point: np.ndarray,
    draws: np.ndarray,
    scope: np.ndarray,
    config: EvaluationConfig,
    rated: np.ndarray | None = None,
) -> pd.DataFrame:
    """Per agency: composite interval, rank and rank interval, tie group, band, P(band).

    Agencies not ``rated`` (``analysis.evidence``) keep their composite interval but get no
    rank, tie group, band or band probability, and do not count in the others' ranks."""
    a = len(point)
    alpha = 1 - config.confidence
    ci_low = column_quantile(draws, alpha / 2)
    ci_high = column_quantile(draws, 1 - alpha / 2)
    if rated is not None:
        point = np.where(rated, point, np.nan)
        draws = np.where(rated[None, :], draws, np.nan)
    rank, low, high = (np.full(a, np.nan) for _ in range(3))
    tie = np.full(a, np.nan)
    point_band = band_of(point, config)
    drawn_band = band_of(draws, config)
    for key in pd.unique(scope):
        m = np.flatnonzero(scope == key)
        r, lo, hi, better = rank_intervals(
            point[m], draws[:, m], config.confidence, config.rank_intervals == "simultaneous"
        )
        rank[m], low[m], high[m] = r, lo, hi
        t = tie_groups(point[m], better)
        tie[m] = np.where(
            np.isnan(t), np.nan, t + (np.nanmax(tie) if (~np.isnan(tie)).any() else 0)
        )
        point_band[m] = _apply_quota(point_band[m], point[m], config.excellent_quota)
        drawn_band[:, m] = _apply_quota(drawn_band[:, m], draws[:, m], config.excellent_quota)
    prob = np.stack([(drawn_band == i).mean(axis=0) for i in range(4)], axis=1)
    if config.band_rule == "probability":
        band, upper, lower, p_range = probability_bands(prob, config.band_probability)
        band, upper, lower = (np.where(point_band >= 0, x, -1) for x in (band, upper, lower))
        borderline = (band < 0) & (point_band >= 0)
    else:
        band, borderline = _interval_bands(point_band, tie, ci_low, ci_high, config)
        upper = lower = band
        p_range = np.take_along_axis(prob, np.maximum(band, 0)[:, None], axis=1)[:, 0]
    out = pd.DataFrame(
        {
            "composite_ci_low": ci_low,
            "composite_ci_high": ci_high,
            "rank": rank,
            "rank_low": low,
            "rank_high": high,
            "tie_group": tie,
            "band": [BANDS[i] if i >= 0 else None for i in band],
            "band_label": [BAND_LABELS[BANDS[i]] if i >= 0 else None for i in band],
            "point_band": [BANDS[i] if i >= 0 else None for i in point_band],
            "borderline": borderline,
            # 临界 between which bands: the narrowest run of adjacent bands holding the
            # threshold's probability (upper = better); equal to ``band`` when banded.
            "borderline_between": [
                f"{BANDS[u]}/{BANDS[lo]}" if b and u >= 0 else None
                for b, u, lo in zip(borderline, upper, lower, strict=True)
            ],
            "band_upper": [BANDS[i] if i >= 0 else None for i in upper],
            "band_lower": [BANDS[i] if i >= 0 else None for i in lower],
            "band_probability": np.where(point_band >= 0, p_range, np.nan),
        }
    )
    for i, name in enumerate(BANDS):
        out[f"p_{name}"] = np.where(point_band >= 0, prob[:, i], np.nan)
    out["tie_size"] = out.groupby("tie_group")["tie_group"].transform("size")
    return out


def probability_bands(prob: np.ndarray, threshold: float):
    """Band by probability: ``band`` (−1 = none) where one band holds ≥ ``threshold``; else
    the narrowest run of adjacent bands ``[upper, lower]`` that does (ties: the likelier run,
    then the better), and its probability. ``prob (A, 4)`` best band first."""
    a, q = prob.shape
    band = np.full(a, -1, dtype=np.int64)
    upper = np.zeros(a, dtype=np.int64)
    lower = np.full(a, q - 1, dtype=np.int64)
    p_range = prob.sum(axis=1)
    found = np.zeros(a, dtype=bool)
    cum = np.concatenate([np.zeros((a, 1)), np.cumsum(prob, axis=1)], axis=1)
    for width in range(1, q + 1):
        mass = np.stack([cum[:, i + width] - cum[:, i] for i in range(q - width + 1)], axis=1)
        best = np.argmax(mass, axis=1)  # first maximum = the better run
        top = mass[np.arange(a), best]
        new = ~found & (top >= threshold - 1e-12)
        upper[new], lower[new], p_range[new] = best[new], best[new] + width - 1, top[new]
        if width == 1:
            band[new] = best[new]
        found |= new
    return band, upper, lower, p_range


def _interval_bands(point_band, tie, ci_low, ci_high, config):
    """The earlier rule (``band_rule = "interval"``): the point band, 临界 when the interval
    straddles a threshold or the tie group spans two bands; ``tie_rule = "upper"`` gives a
    tie group its best member's band."""
    thresholds = np.array([config.bands[n] for n in BANDS[:3]])
    straddle = ((ci_low[:, None] < thresholds) & (ci_high[:, None] >= thresholds)).any(axis=1)
    band = point_band.copy()
    tie_series = pd.Series(tie)
    best = tie_series.map(pd.Series(point_band).groupby(tie).min()).to_numpy()
    spans = tie_series.map(pd.Series(point_band).groupby(tie).nunique()).to_numpy() > 1
    if config.tie_rule == "upper":
        shared = np.where(np.isnan(best), band, best).astype(np.int64)
        if config.excellent_quota is not None:
            shared = np.where((shared == 0) & (point_band != 0), 1, shared)
        band = shared
    return band, (straddle | spans) & (point_band >= 0)
