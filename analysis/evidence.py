"""Which agencies have enough survey evidence to be ranked and banded (METHODS.md §8a).

A cell (agency × rated dimension × group) *meets its minimum* when it has at least
``groups.<g>.min_n`` kept responses and, for the peer round robin, was rated by at least
``groups.peer.min_share`` of the other agencies. An agency is **rated** when, for every rated
dimension with composite weight, the groups meeting their minimum carry a positive share of
that dimension's group weight (in the agency's profile) of at least ``rated_min_share``
(a dimension that no group's questionnaire asks, in the whole year, needs none).
Otherwise it gets no rank, rank interval, tie group or band; its composite is still shown,
with ``rated = False`` and ``not_rated_reason`` saying what is missing. 全面度 and 时效度 alone
never rate an agency: they are not survey evidence.
"""

from __future__ import annotations

import numpy as np

from analysis.config import RATED_DIMENSIONS
from analysis.peer import SRMResult


def cell_evidence(prep, model) -> tuple[np.ndarray, np.ndarray]:
    """``n`` (A, D, G) kept responses per cell (0 where none) and ``meets`` (A, D, G)."""
    cfg = model.config
    n = np.zeros(model.shape)
    meets = np.zeros(model.shape, dtype=bool)
    for (g, d), fit in model.fits.items():
        gc = cfg.groups[prep.groups[g]]
        a = fit.agencies
        count = fit.describe["n"]
        ok = count >= gc.min_n
        if isinstance(fit.model, SRMResult) and gc.min_share > 0:
            raters = fit.model.target_effects["n_raters"].reindex(a).to_numpy()
            ok &= raters >= gc.min_share * (fit.model.n_agencies - 1)
        n[a, d, g] = count
        meets[a, d, g] = ok
    return n, meets


def rated_agencies(prep, model) -> tuple[np.ndarray, list[str | None]]:
    """``rated`` (A,) and a reason per agency (None when rated)."""
    cfg = model.config
    n, meets = cell_evidence(prep, model)
    weights = model.group_weights  # (A, D, G)
    rated = np.ones(model.shape[0], dtype=bool)
    reasons: list[str | None] = [None] * model.shape[0]
    if prep.n == 0:
        return np.zeros(model.shape[0], dtype=bool), ["no survey responses"] * model.shape[0]
    asked = {d for _, d in model.fits}  # a dimension no questionnaire asks needs no evidence
    for a in range(model.shape[0]):
        parts = []
        for d, dim in enumerate(RATED_DIMENSIONS):
            if cfg.dimension_weights[dim] <= 0 or d not in asked:
                continue
            w = weights[a, d]
            total = w.sum()
            share = (w * meets[a, d]).sum() / total if total > 0 else 0.0
            if share > 0 and share >= cfg.rated_min_share - 1e-12:
                continue
            short = [
                f"{prep.groups[g]} n={int(n[a, d, g])} < {cfg.groups[prep.groups[g]].min_n}"
                if n[a, d, g] < cfg.groups[prep.groups[g]].min_n
                else f"{prep.groups[g]} rated by too few agencies"
                for g in np.flatnonzero(w > 0)
                if not meets[a, d, g]
            ]
            parts.append(
                f"{dim}: groups at their minimum carry {share:.0%} of the weight "
                f"(needs > 0 and ≥ {cfg.rated_min_share:.0%}; {', '.join(short)})"
            )
        if parts:
            rated[a] = False
            reasons[a] = "; ".join(parts)
    return rated, reasons
