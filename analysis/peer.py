"""Peer review among agencies (round robin: every agency rates every other, never itself).

Social Relations Model (Warner, Kenny & Stoto 1979; Kenny & La Voie 1984; Kenny 1994), with
the estimators of TripleR (Schönbrodt, Back & Schmukle 2012, BRM 44:455) — STATISTICS.md §4.1.
For ``n`` agencies, row means ``M_i·``, column means ``M_·j`` and grand mean ``M``:

- ``X_ij = m + a_i + b_j + g_ij``: ``a_i`` actor (rater leniency), ``b_j`` partner (how peers
  see agency j — the peer score is ``m + b_j``), ``g_ij`` relationship;
- ``a_i = (n−1)²/(n(n−2))·M_i· + (n−1)/(n(n−2))·M_·i − (n−1)/(n−2)·M`` and symmetrically
  ``b_j``; ``g_ij = X_ij − a_i − b_j − M``. These are the least-squares estimates of the
  additive model with the diagonal missing, so ``Σa = Σb = 0`` and own leniency does not leak
  into an agency's own score (it does in plain column means: ``M_·j − M = b_j − a_j/(n−1)``);
- ``A = Σa²/(n−1)``, ``B = Σb²/(n−1)``, ``C = Σab/(n−1)``; ``e_ij = (g_ij+g_ji)/2``,
  ``d_ij = g_ij − g_ji``; ``D = Σ_{i≠j} e²/((n−1)(n−2)/2 − 1)``,
  ``E = (Σ_{i≠j} d²/2)/((n−1)(n−2))``; ``σ²_g = (D+E)/2``, ``σ_gg' = (D−E)/2``;
- ``σ²_b = B − σ²_g(n−1)/(n(n−2)) − σ_gg'/(n(n−2))`` (``σ²_a`` likewise from ``A``);
  ``σ_ab = C − σ_gg'(n−1)/(n(n−2)) − σ²_g/(n(n−2))`` (Kenny 1994; checked by simulation);
- ``rel_b = σ²_b / (σ²_b + σ²_g(n−1)/(n(n−2)) + σ_gg'/(n(n−2)))``; the error part of the
  denominator is the sampling variance of ``b_j`` and gives its ``se``;
- dyadic reciprocity ``σ_gg'/σ²_g``; generalised reciprocity ``σ_ab/√(σ²_a σ²_b)`` (the
  variance-component correlation TripleR reports, not the raw correlation of the estimates).

Moment estimates of variances can be negative (read: about zero). They are reported as is;
quantities built from them (reliability, se, correlations) floor them at 0 or return NaN.

Missing cells: up to ``max_missing`` (default 20 %, TripleR's warning level) of the off-diagonal
cells are imputed by the additive model ``m + a_i + b_j``. Iterating "fill, re-estimate" converges
to the least-squares fit on the observed cells, so that fit is computed directly
(:func:`analysis.twoway.fit_additive`) — same fixed point, no tolerance, and an agency that rated
nobody keeps ``a_i = 0`` instead of making ``m`` unidentified. Imputed cells get ``g = 0``; the
variance components rescale their sums to the observed cells and each ``b_j``'s standard error
to its own number of raters (:func:`_variance_components`); ``n_imputed`` reports how many.
Above the limit ``srm`` raises: use :func:`analysis.twoway.rater_adjusted` for such partial designs.

Manipulation diagnostics built on this result live in :mod:`analysis.peer_diagnostics`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.twoway import fit_additive, pair_means

MIN_AGENCIES = 4


@dataclass(frozen=True)
class SRMResult:
    """Social Relations Model decomposition of one round robin (see module docstring).

    ``target_effects`` (index target): ``effect`` b_j, ``score`` m + b_j, ``se``,
    ``reliability`` rel_b, ``n_raters`` (ratings actually received).
    ``rater_effects`` (index rater): ``effect`` a_i, ``robust_z``, ``consensus_corr``,
    ``rival_z``, ``top_gap`` (points), ``top_gap_t``, ``n_ratings`` (ratings actually given).
    ``relationship``: columns ``rater``, ``target``, ``g``, ``imputed``.
    ``variance``: ``actor``, ``partner``, ``relationship``, ``dyadic_covariance``,
    ``actor_partner_covariance``, ``reliability_target``.
    """

    grand_mean: float
    target_effects: pd.DataFrame
    rater_effects: pd.DataFrame
    relationship: pd.DataFrame
    variance: dict[str, float]
    dyadic_reciprocity: float
    generalized_reciprocity: float
    n_agencies: int
    n_self_ratings_dropped: int
    n_imputed: int


def robust_z(values: np.ndarray) -> np.ndarray:
    """``(x − median)/(1.4826·MAD)``; falls back to ``1.2533·mean|x − median|`` when MAD = 0.

    The fallback is Iglewicz & Hoaglin's (1993) rule for data with more than half ties.
    NaN entries stay NaN; data equal up to rounding (spread below 1e-9 of their size) give 0.
    """
    x = np.asarray(values, dtype=float)
    out = np.full(x.shape, np.nan)
    ok = np.isfinite(x)
    if not ok.any():
        return out
    med = np.median(x[ok])
    dev = np.abs(x[ok] - med)
    tiny = 1e-9 * (1.0 + np.abs(med))
    scale = 1.4826 * np.median(dev)
    if scale <= tiny:
        scale = 1.2533 * dev.mean()
    out[ok] = (x[ok] - med) / scale if scale > tiny else 0.0
    return out


def _row_corr(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row of ``x`` with the same row of ``y`` over ``mask``."""
    cnt = np.maximum(mask.sum(axis=1), 1)  # empty rows end as NaN through den == 0
    xm = np.where(mask, x, 0.0).sum(axis=1) / cnt
    ym = np.where(mask, y, 0.0).sum(axis=1) / cnt
    xc = np.where(mask, x - xm[:, None], 0.0)
    yc = np.where(mask, y - ym[:, None], 0.0)
    den = np.sqrt((xc**2).sum(axis=1) * (yc**2).sum(axis=1))
    num = (xc * yc).sum(axis=1)
    # Relative floor: a row that is constant up to rounding has no defined correlation.
    tiny = 1e-12 * (1.0 + np.abs(x).max() * np.abs(y).max()) * cnt
    return np.divide(num, den, out=np.full(len(num), np.nan), where=den > tiny)


def _effects(z: np.ndarray, n: int) -> tuple[float, np.ndarray, np.ndarray]:
    """TripleR actor/partner estimates from a matrix with a zero diagonal."""
    row = z.sum(axis=1) / (n - 1)
    col = z.sum(axis=0) / (n - 1)
    m = z.sum() / (n * (n - 1))
    c1, c2, c3 = (n - 1) ** 2 / (n * (n - 2)), (n - 1) / (n * (n - 2)), (n - 1) / (n - 2)
    return m, c1 * row + c2 * col - c3 * m, c1 * col + c2 * row - c3 * m


def _leave_one_out_partner(z: np.ndarray, n: int) -> np.ndarray:
    """``[i, j]`` = partner effect of j in the round robin without agency i (diag undefined)."""
    k = n - 1  # size of each reduced group
    rows, cols, total = z.sum(axis=1), z.sum(axis=0), z.sum()
    col_mean = (cols[None, :] - z) / (k - 1)
    row_mean = (rows[None, :] - z.T) / (k - 1)
    grand = (total - rows - cols) / (k * (k - 1))
    c1, c2, c3 = (k - 1) ** 2 / (k * (k - 2)), (k - 1) / (k * (k - 2)), (k - 1) / (k - 2)
    return c1 * col_mean + c2 * row_mean - c3 * grand[:, None]


def _top_gap(
    g: np.ndarray, consensus: np.ndarray, mask: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``g`` of each rater on its consensus top-k targets minus the rest, and its t."""
    ranked = np.where(mask, consensus, -np.inf)
    kth = -np.sort(-ranked, axis=1)[:, k - 1]
    # Ties at the k-th place all join the top group, so the split never depends on labels.
    tol = 1e-9 * (1.0 + float(np.abs(np.where(mask, consensus, 0.0)).max()))
    top = mask & (consensus >= kth[:, None] - tol)
    rest = mask & ~top
    n_top, n_rest = top.sum(axis=1), rest.sum(axis=1)
    mean_top = np.where(top, g, 0.0).sum(axis=1) / np.maximum(n_top, 1)
    mean_rest = np.where(rest, g, 0.0).sum(axis=1) / np.maximum(n_rest, 1)
    ss = np.where(top, (g - mean_top[:, None]) ** 2, 0.0).sum(axis=1) + np.where(
        rest, (g - mean_rest[:, None]) ** 2, 0.0
    ).sum(axis=1)
    df = n_top + n_rest - 2
    pooled = np.sqrt(np.divide(ss, df, out=np.zeros(len(ss)), where=df > 0))
    se = pooled * np.sqrt(1 / np.maximum(n_top, 1) + 1 / np.maximum(n_rest, 1))
    ok = (n_top > 0) & (n_rest > 0) & (se > 1e-12 * (1.0 + np.abs(g).max()))
    gap = np.where((n_top > 0) & (n_rest > 0), mean_top - mean_rest, np.nan)
    return gap, np.divide(gap, se, out=np.full(len(se), np.nan), where=ok)


def _div(num: float, den: float, floor: float = 0.0) -> float:
    """``num/den``, NaN when ``den`` is at or below ``floor`` (zero up to rounding)."""
    return float(num / den) if den > floor and np.isfinite(num) else float("nan")


def _matrix(ratings: pd.DataFrame) -> tuple[np.ndarray, pd.Index, int]:
    frame = ratings
    if {"rater", "target"} <= set(frame.columns):
        is_self = (frame["rater"] == frame["target"]).to_numpy(dtype=bool)
        n_self = int(is_self.sum())
        frame = frame.loc[~is_self]
    else:
        n_self = 0
    pairs = pair_means(frame)  # validates columns, drops missing, averages items
    ids = pd.Index(pd.unique(pd.concat([pairs["rater"], pairs["target"]], ignore_index=True)))
    try:
        ids = ids.sort_values()
    except TypeError:
        pass  # mixed id types: keep first-seen order
    n = len(ids)
    if n < MIN_AGENCIES:
        raise ValueError(
            f"the Social Relations Model needs a round robin of at least {MIN_AGENCIES} "
            f"agencies; got {n}"
        )
    x = np.full((n, n), np.nan)
    x[ids.get_indexer(pairs["rater"]), ids.get_indexer(pairs["target"])] = pairs["score"]
    return x, ids, n_self


def srm(ratings: pd.DataFrame, *, max_missing: float = 0.2, top_share: float = 0.2) -> SRMResult:
    """Decompose round-robin peer ratings (columns ``rater``, ``target``, ``score``).

    Self-ratings are dropped and counted; several rows per ordered pair are averaged. Raises
    ``ValueError`` for fewer than 4 agencies or more than ``max_missing`` missing cells.
    ``top_share`` sets the consensus top group (share of the other agencies, at least one)
    used by the ``top_gap`` rival statistic.
    """
    x, ids, n_self = _matrix(ratings)
    n = len(ids)
    off = ~np.eye(n, dtype=bool)
    observed = off & np.isfinite(x)
    n_missing = int(off.sum() - observed.sum())
    if n_missing > max_missing * off.sum():
        raise ValueError(
            f"{n_missing} of {int(off.sum())} off-diagonal round-robin cells are missing "
            f"(more than {max_missing:.0%}); SRM estimates would rest on imputed data — "
            "use analysis.twoway.rater_adjusted for partial designs"
        )
    if n_missing:
        ri, ti = np.nonzero(observed)
        mu, a_fit, b_fit = fit_additive(ri, ti, x[observed], n, n)
        fill = mu + a_fit[:, None] + b_fit[None, :]
        x = np.where(observed, x, fill)
    z = np.where(off, x, 0.0)

    m, a, b = _effects(z, n)
    g = np.where(off, z - a[:, None] - b[None, :] - m, 0.0)
    # A table where everyone gives 100 (or an exactly additive one) leaves effects of 1e-14,
    # not 0; z-scores and ratios of such residues would be arbitrary and could raise flags.
    tol = 1e-9 * (1.0 + float(np.abs(z).max()))
    a, b, g = (np.where(np.abs(v) < tol, 0.0, v) for v in (a, b, g))
    floor = tol**2
    variance = _variance_components(a, b, g, n, floor, observed)
    err_b = variance.pop("_error_b")
    rel = variance["reliability_target"]

    b_loo = _leave_one_out_partner(z, n)
    consensus = _row_corr(g, b_loo, observed)
    k_top = max(1, round(top_share * (n - 1)))
    gap, gap_t = _top_gap(g, b_loo, observed, k_top)
    target_effects = pd.DataFrame(
        {
            "effect": b,
            "score": m + b,
            "se": np.sqrt(np.maximum(err_b, 0.0)),
            "reliability": rel,
            "n_raters": observed.sum(axis=0),
        },
        index=ids.rename("target"),
    )
    rater_effects = pd.DataFrame(
        {
            "effect": a,
            "robust_z": robust_z(a),
            "consensus_corr": consensus,
            "rival_z": robust_z(consensus),
            "top_gap": gap,
            "top_gap_t": gap_t,
            "n_ratings": observed.sum(axis=1),
        },
        index=ids.rename("rater"),
    )
    ii, jj = np.nonzero(off)
    relationship = pd.DataFrame(
        {"rater": ids[ii], "target": ids[jj], "g": g[ii, jj], "imputed": ~observed[ii, jj]}
    )
    s2g, sgg = variance["relationship"], variance["dyadic_covariance"]
    s2a, s2b = variance["actor"], variance["partner"]
    return SRMResult(
        grand_mean=float(m),
        target_effects=target_effects,
        rater_effects=rater_effects,
        relationship=relationship,
        variance=variance,
        dyadic_reciprocity=_div(sgg, s2g, floor),
        generalized_reciprocity=_div(
            variance["actor_partner_covariance"], np.sqrt(max(s2a, 0.0) * max(s2b, 0.0)), floor
        ),
        n_agencies=n,
        n_self_ratings_dropped=n_self,
        n_imputed=n_missing,
    )


def _variance_components(
    a: np.ndarray, b: np.ndarray, g: np.ndarray, n: int, floor: float, observed=None
) -> dict:
    """TripleR's moment estimates; with missing cells (``observed`` False off the diagonal,
    imputed with ``g = 0``) the sums only hold observed cells, so they are rescaled to the
    observed counts: ``σ²_g`` by residual degrees of freedom ``(n(n−1) − 2n + 1)/(N_obs −
    2n + 1)``, ``σ_gg'`` by dyads ``n(n−1)/2 / #complete dyads``; the sampling variance of
    ``b_j`` (``a_i``) grows as ``(n−1)/#raters of j`` (``#ratings by i``)."""
    big_a, big_b, big_c = a @ a / (n - 1), b @ b / (n - 1), a @ b / (n - 1)
    e = (g + g.T) / 2  # diagonal is 0, so sums over i≠j are plain sums
    d = g - g.T
    big_d = (e**2).sum() / ((n - 1) * (n - 2) / 2 - 1)
    big_e = ((d**2).sum() / 2) / ((n - 1) * (n - 2))
    s2g, sgg = (big_d + big_e) / 2, (big_d - big_e) / 2
    raters = targets = np.full(n, n - 1.0)
    if observed is not None and not observed[~np.eye(n, dtype=bool)].all():
        n_obs = float(observed.sum())
        s2g *= (n * (n - 1) - 2 * n + 1) / max(n_obs - 2 * n + 1, 1.0)
        complete = float((observed & observed.T).sum()) / 2
        sgg *= (n * (n - 1) / 2) / max(complete, 1.0)
        raters = np.maximum(observed.sum(axis=0), 1.0)
        targets = np.maximum(observed.sum(axis=1), 1.0)
    w1, w2 = (n - 1) / (n * (n - 2)), 1 / (n * (n - 2))
    error = s2g * w1 + sgg * w2  # sampling variance of a_i and of b_j (complete design)
    err_b = error * (n - 1) / raters
    err_a = error * (n - 1) / targets
    s2a, s2b = big_a - err_a.mean(), big_b - err_b.mean()
    signal = s2b if s2b > floor else 0.0
    return {
        "actor": float(s2a),
        "partner": float(s2b),
        "relationship": float(s2g),
        "dyadic_covariance": float(sgg),
        "actor_partner_covariance": float(big_c - sgg * w1 - s2g * w2),
        "reliability_target": _div(signal, signal + max(float(err_b.mean()), 0.0), floor),
        "_error_b": err_b,
    }


def corrected_scores(ratings: pd.DataFrame) -> pd.Series:
    """Leniency-corrected peer score ``m + b_j`` per target (the SRM partner score)."""
    return srm(ratings).target_effects["score"].rename("peer_score")


from analysis.peer_diagnostics import (  # noqa: E402  (re-export; diagnostics import SRMResult)
    leniency_outliers,
    mutual_high_cliques,
    reciprocity_pairs,
    rival_raters,
)

__all__ = [
    "SRMResult",
    "corrected_scores",
    "leniency_outliers",
    "mutual_high_cliques",
    "reciprocity_pairs",
    "rival_raters",
    "robust_z",
    "srm",
]
