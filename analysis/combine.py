"""Group scores → dimension scores → composite (STATISTICS.md §2.7), and weight sensitivity.

``成效度_j = Σ_g w_g θ̃_jg`` and ``配合度_j`` likewise, with the weight profile of the agency
(``agencies.profile``; the config's default profile otherwise). A group without a score for the
agency is handled by ``missing_group``: ``renormalize`` divides by the weight of the groups
present; ``group_mean`` puts in the group's EB mean μ̂ (a neutral score). Either way the cell is
listed as missing. The composite ``C_j = Σ_d W_d·D_jd`` over the four 0–100 dimensions; a
dimension an agency lacks (e.g. 全面度 not supplied) is renormalised away and flagged.

Arrays carry any leading axes (bootstrap replicates): scores ``(…, A, D, G)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.config import DIMENSIONS, RATED_DIMENSIONS, EvaluationConfig


def group_weight_array(config: EvaluationConfig, profiles, groups) -> np.ndarray:
    """Weights ``(A, D, G)`` for agencies whose profiles are ``profiles`` (None = default)."""
    out = np.zeros((len(profiles), len(RATED_DIMENSIONS), len(groups)))
    cache = {}
    for a, profile in enumerate(profiles):
        key = (
            None
            if profile is None or (isinstance(profile, float) and np.isnan(profile))
            else profile
        )
        if key not in cache:
            w = config.weights_for(key)
            cache[key] = np.array([[w[d].get(g, 0.0) for g in groups] for d in RATED_DIMENSIONS])
        out[a] = cache[key]
    return out


def combine_groups(
    scores: np.ndarray, weights: np.ndarray, group_mean: np.ndarray, policy: str
) -> tuple[np.ndarray, np.ndarray]:
    """Dimension scores ``(…, A, D)`` and the weight actually used ``(…, A, D)``.

    ``scores (…, A, D, G)`` NaN where a group has no score; ``group_mean (…, D, G)`` the EB μ̂.
    """
    have = ~np.isnan(scores)
    filled = scores
    if policy == "group_mean":
        mu = np.broadcast_to(group_mean[..., None, :, :], scores.shape)
        filled = np.where(have, scores, mu)
        have = ~np.isnan(filled)
    w = np.where(have, weights, 0.0)
    total = w.sum(axis=-1)
    value = (w * np.where(have, filled, 0.0)).sum(axis=-1)
    score = np.divide(value, total, out=np.full(total.shape, np.nan), where=total > 0)
    return score, total


def composite(dims: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Composite ``(…, A)`` from the four dimensions ``(…, A, 4)``; weight used ``(…, A)``."""
    have = ~np.isnan(dims)
    w = np.where(have, weights, 0.0)
    total = w.sum(axis=-1)
    value = (w * np.where(have, dims, 0.0)).sum(axis=-1)
    return np.divide(value, total, out=np.full(total.shape, np.nan), where=total > 0), total


def all_dimensions(fixed: np.ndarray, rated: np.ndarray) -> np.ndarray:
    """Stack 全面度/时效度 ``(A, 2)`` (no sampling error) with the rated dims ``(…, A, 2)``."""
    fixed = np.broadcast_to(fixed, rated.shape[:-1] + (2,))
    return np.concatenate([fixed, rated], axis=-1)


def perturb(weights: np.ndarray, index, factor: float) -> np.ndarray:
    """Scale one weight by ``factor`` and the others proportionally so they still sum to 1."""
    w = np.array(weights, dtype=float)
    old = w[index]
    new = min(old * factor, 1.0)
    rest = w.sum() - old
    if rest > 0:
        w *= (w.sum() - new) / rest
    w[index] = new
    return w


def _perturb_rows(weights: np.ndarray, index: int, factor: float) -> np.ndarray:
    """:func:`perturb` of every row of ``weights`` (rows, groups) at once."""
    w = np.array(weights, dtype=float)
    old = w[:, index]
    new = np.minimum(old * factor, 1.0)
    total = w.sum(axis=1)
    rest = total - old
    scale = np.divide(total - new, rest, out=np.ones_like(rest), where=rest > 0)
    w *= scale[:, None]
    w[:, index] = new
    return w


def ranks(values: np.ndarray) -> np.ndarray:
    """Competition ranks, 1 = highest, NaN last."""
    return pd.Series(values).rank(ascending=False, method="min", na_option="keep").to_numpy()


def weight_sensitivity(
    scores: np.ndarray,
    group_weights: np.ndarray,
    group_mean: np.ndarray,
    fixed: np.ndarray,
    dimension_weights: np.ndarray,
    config: EvaluationConfig,
    groups: tuple[str, ...],
    scope: np.ndarray,
) -> pd.DataFrame:
    """Ranks after moving each weight by ±``config.sensitivity`` (OECD/JRC Handbook, 2008).

    Every dimension weight and every non-zero group weight is scaled by ``1 ± δ`` with the
    others rescaled to keep the sum at 1. Returns one row per (weight, direction, agency) with
    the composite, the rank under that perturbation (within ``scope``) and ``rank_change``
    against the unperturbed rank (positive = falls).
    """
    delta = config.sensitivity
    rows = []

    def run(gw, dw, label, direction):
        rated, _ = combine_groups(scores, gw, group_mean, config.missing_group)
        comp, _ = composite(all_dimensions(fixed, rated), dw)
        rows.append((label, direction, comp, scoped_ranks(comp, scope)))

    run(group_weights, dimension_weights, "base", 0)
    if delta == 0:
        return _frame(rows)
    for d, name in enumerate(DIMENSIONS):
        if dimension_weights[d] > 0:
            for sign in (1, -1):
                dw = perturb(dimension_weights, d, 1 + sign * delta)
                run(group_weights, dw, f"dimension:{name}", sign)
    for d, dim in enumerate(RATED_DIMENSIONS):
        for g, group in enumerate(groups):
            if not (group_weights[:, d, g] > 0).any():
                continue
            for sign in (1, -1):
                gw = group_weights.copy()
                on = gw[:, d, g] > 0
                gw[on, d] = _perturb_rows(gw[on, d], g, 1 + sign * delta)
                run(gw, dimension_weights, f"group:{dim}.{group}", sign)
    return _frame(rows)


def scoped_ranks(values: np.ndarray, scope: np.ndarray) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for key in pd.unique(scope):
        members = scope == key
        out[members] = ranks(values[members])
    return out


def _frame(rows) -> pd.DataFrame:
    """One frame from the runs' arrays (one constructor, not one frame per run)."""
    n = len(rows[0][2])
    labels, directions, comps, rank_list = zip(*rows, strict=True)
    rank = np.concatenate(rank_list)
    base = rank[labels.index("base") * n :][:n]
    return pd.DataFrame(
        {
            "weight": pd.Series(np.repeat(labels, n), dtype=pd.Series(labels[:1]).dtype),
            "direction": np.repeat(np.array(directions, dtype=np.int64), n),
            "agency": np.tile(np.arange(n), len(rows)),
            "composite": np.concatenate(comps),
            "rank": rank,
            "rank_change": rank - np.tile(base, len(rows)),
        }
    )
