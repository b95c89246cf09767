"""Rater-adjusted scores when raters rate only a subset of targets (grassroots units, deputies).

Model (STATISTICS.md §4.2): ``y_rt = μ + a_r + b_t + ε_rt`` with unweighted sum-to-zero
constraints ``Σ_r a_r = 0`` and ``Σ_t b_t = 0`` — the same parameterisation as statsmodels
``ols("y ~ C(target, Sum) + C(rater, Sum)")``. ``a_r`` is rater leniency, ``μ + b_t`` the
rater-adjusted target score (what the target would get from an average rater). This is the
least-squares reviewer calibration used for NeurIPS reviews (Platt & Burges; Lawrence 2014;
Tan et al. 2021, arXiv 2110.12607).

Solver: the normal equations ``[[D_r, N], [Nᵀ, D_t]]`` (``N`` the rater × target count
matrix) are reduced by eliminating the rater block, which is diagonal. What remains is the
targets' Schur complement ``S = D_t − Nᵀ D_r⁻¹ N``, a weighted graph Laplacian whose null
space is the constant vector when the rater–target graph is connected; ``S + 11ᵀ`` is then
invertible and gives the sum-to-zero solution directly. Cost: one sparse product and one dense
``T × T`` solve, so it suits designs with few targets (agencies, ~100) and many raters.

Standard errors use ``σ̂² = RSS / (N − R − T + 1)`` and the Schur-complement form of a
generalised inverse of the normal matrix (exact for estimable functions such as ``μ + b_t``).

Variance components: method of moments. ``σ²_residual`` is the residual mean square;
``σ²_target`` and ``σ²_rater`` equate the spread of the centred effect estimates to its
expectation, ``E[b̂ᵀHb̂] = (T−1)σ²_t + σ²_e·tr(H Q_b H)`` (``H`` centring, ``Q_b`` the target
block of the generalised inverse). In a complete balanced table this is the usual ANOVA
estimator ``(MS_target − MS_error)/k``; it is the same correction the SRM applies (§4.1).
The estimates are unbiased and can be negative (reported as is; meaning "about zero").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

_COLUMNS = ("rater", "target", "score")


@dataclass(frozen=True)
class TwoWayResult:
    """Rater-adjusted target scores and rater leniencies from the additive two-way model.

    ``target_effects`` is indexed by target with columns ``adjusted`` (μ + b_t), ``effect``
    (b_t), ``raw_mean``, ``se`` (of ``adjusted``), ``reliability``
    (σ²_t / (σ²_t + se²), σ²_t floored at 0) and ``n`` (distinct raters).
    ``rater_effects`` is indexed by rater with ``leniency`` (a_r) and ``n``.
    """

    grand_mean: float
    target_effects: pd.DataFrame
    rater_effects: pd.DataFrame
    residual_sd: float
    df_resid: int
    variance_components: dict[str, float]
    n_ratings: int


@dataclass(frozen=True)
class _Fit:
    mu: float
    a: np.ndarray
    b: np.ndarray
    sigma2: float
    df_resid: int
    se_adjusted: np.ndarray
    trace_a: float
    trace_b: float


def pair_means(ratings: pd.DataFrame) -> pd.DataFrame:
    """Validate ``rater``/``target``/``score`` and average several rows of one pair."""
    missing = [c for c in _COLUMNS if c not in ratings.columns]
    if missing:
        raise ValueError(f"ratings lacks column(s) {missing}; expected {list(_COLUMNS)}")
    frame = ratings.loc[:, list(_COLUMNS)]
    try:
        score = pd.to_numeric(frame["score"], errors="raise").astype(float)
    except (TypeError, ValueError) as exc:
        raise ValueError("ratings['score'] must be numeric") from exc
    frame = frame.assign(score=score).dropna(subset=list(_COLUMNS))
    if _one_row_per_pair(frame):  # already pair means (the usual case): no groupby needed
        return frame.reset_index(drop=True)
    # Several rows per rater-target pair (several items) are one judgement, not replicates.
    return (
        frame.groupby(["rater", "target"], sort=False, observed=True)["score"].mean().reset_index()
    )


def _one_row_per_pair(frame: pd.DataFrame) -> bool:
    try:
        r_idx = pd.factorize(frame["rater"])[0].astype(np.int64)
        t_idx, targets = pd.factorize(frame["target"])
    except TypeError:  # unhashable ids: let the groupby report them
        return False
    key = r_idx * max(len(targets), 1) + t_idx
    return not len(key) or int(np.bincount(key).max()) <= 1


def factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and sorted labels; ids of mixed types keep first-seen order."""
    try:
        codes, labels = pd.factorize(values, sort=True)
    except TypeError:
        codes, labels = pd.factorize(values)
    return np.asarray(codes), pd.Index(labels)


def _check_connected(r_idx: np.ndarray, t_idx: np.ndarray, raters, targets) -> None:
    n_r, n_t = len(raters), len(targets)
    adjacency = sparse.coo_matrix(
        (np.ones(len(r_idx)), (r_idx, n_r + t_idx)), shape=(n_r + n_t, n_r + n_t)
    )
    n_comp, labels = connected_components(adjacency, directed=False)
    if n_comp == 1:
        return
    groups = []
    for comp in range(n_comp):
        members = [str(t) for t in np.asarray(targets)[labels[n_r:] == comp]]
        shown = ", ".join(members[:10]) + (" …" if len(members) > 10 else "")
        groups.append(f"{{{shown}}}")
    raise ValueError(
        f"rater-target design is disconnected into {n_comp} components (targets: "
        + "; ".join(groups)
        + "); scores in different components are not comparable — add raters who rate across them"
    )


def _fit(r_idx: np.ndarray, t_idx: np.ndarray, y: np.ndarray, n_r: int, n_t: int) -> _Fit:
    n_obs = len(y)
    counts = sparse.csr_matrix((np.ones(n_obs), (r_idx, t_idx)), shape=(n_r, n_t))
    sums = sparse.csr_matrix((y, (r_idx, t_idx)), shape=(n_r, n_t))
    d_r = np.asarray(counts.sum(axis=1)).ravel()
    d_t = np.asarray(counts.sum(axis=0)).ravel()
    ry = np.asarray(sums.sum(axis=1)).ravel()
    ty = np.asarray(sums.sum(axis=0)).ravel()

    scaled = sparse.diags(1.0 / d_r) @ counts  # D_r⁻¹ N
    schur = np.diag(d_t) - (counts.T @ scaled).toarray()
    p = np.linalg.inv(schur + 1.0)  # (S + 11ᵀ)⁻¹ acts as S⁺ on contrasts
    rhs = ty - scaled.T @ ry
    b_raw = p @ rhs
    a_raw = (ry - counts @ b_raw) / d_r
    mu = float(a_raw.mean() + b_raw.mean())
    a = a_raw - a_raw.mean()
    b = b_raw - b_raw.mean()

    resid = y - mu - a[r_idx] - b[t_idx]
    df_resid = n_obs - n_r - n_t + 1
    sigma2 = float(resid @ resid / df_resid) if df_resid > 0 else float("nan")

    # Var(μ̂ + b̂_t) = σ²[(1/R²)Σ1/d_r + w_tᵀ S⁺ w_t], w_t = e_t − (1/R) Nᵀ D_r⁻¹ 1.
    u = (scaled.T @ np.ones(n_r)) / n_r
    w = np.eye(n_t) - u[None, :]
    quad = np.einsum("ij,jk,ik->i", w, p, w)
    se_adjusted = np.sqrt(np.maximum(sigma2 * (np.sum(1.0 / d_r) / n_r**2 + quad), 0.0))

    # tr(H Q H) for the centred effect vectors, needed by the moment estimators.
    trace_b = float(np.trace(p) - p.sum() / n_t)
    v = scaled.T @ np.ones(n_r)  # Nᵀ D_r⁻¹ 1
    m = (scaled.T @ scaled).toarray()  # Nᵀ D_r⁻² N
    trace_a = float(np.sum(1.0 / d_r) + np.sum(p * m) - (np.sum(1.0 / d_r) + v @ p @ v) / n_r)
    return _Fit(mu, a, b, sigma2, df_resid, se_adjusted, trace_a, trace_b)


def fit_additive(
    rater: np.ndarray, target: np.ndarray, score: np.ndarray, n_raters: int, n_targets: int
) -> tuple[float, np.ndarray, np.ndarray]:
    """Least-squares ``μ, a, b`` for integer-coded ratings; levels without data get effect 0.

    Used by the SRM to impute missing round-robin cells. Sum-to-zero runs over the levels
    that have data, so an agency that rated nobody is treated as an average rater.
    """
    r_codes, r_idx = np.unique(rater, return_inverse=True)
    t_codes, t_idx = np.unique(target, return_inverse=True)
    _check_connected(r_idx, t_idx, r_codes, t_codes)
    fit = _fit(r_idx, t_idx, np.asarray(score, dtype=float), len(r_codes), len(t_codes))
    a = np.zeros(n_raters)
    b = np.zeros(n_targets)
    a[r_codes] = fit.a
    b[t_codes] = fit.b
    return fit.mu, a, b


def rater_adjusted(ratings: pd.DataFrame) -> TwoWayResult:
    """Fit ``score = μ + a_rater + b_target + ε`` by least squares on a connected design.

    ``ratings`` has columns ``rater``, ``target``, ``score``; rows with a missing value are
    dropped and several rows for one rater-target pair are averaged first. Raises
    ``ValueError`` on malformed input, on too few data, or when the bipartite rater-target
    graph is disconnected (the message names the components).
    """
    pairs = pair_means(ratings)
    r_idx, r_codes = factorize(pairs["rater"])
    t_idx, t_codes = factorize(pairs["target"])
    n_r, n_t = len(r_codes), len(t_codes)
    if n_t < 2 or n_r < 1:
        raise ValueError("rater_adjusted needs at least 2 targets with ratings")
    _check_connected(r_idx, t_idx, r_codes, t_codes)
    y = pairs["score"].to_numpy(dtype=float)
    fit = _fit(r_idx, t_idx, y, n_r, n_t)

    n_t_obs = np.bincount(t_idx, minlength=n_t)
    raw_mean = np.bincount(t_idx, weights=y, minlength=n_t) / n_t_obs
    var_e = fit.sigma2
    var_t = _moment_component(fit.b, fit.trace_b, var_e)
    var_r = _moment_component(fit.a, fit.trace_a, var_e)
    se2 = fit.se_adjusted**2
    # Below the rounding level of the scores a variance is zero, and so is a ratio of them.
    floor = (1e-9 * (1.0 + float(np.abs(y).max()))) ** 2
    signal = (var_t if var_t > floor else 0.0) if np.isfinite(var_t) else np.nan
    denom = signal + se2
    reliability = np.divide(signal, denom, out=np.full(n_t, np.nan), where=denom > floor)

    target_effects = pd.DataFrame(
        {
            "adjusted": fit.mu + fit.b,
            "effect": fit.b,
            "raw_mean": raw_mean,
            "se": fit.se_adjusted,
            "reliability": reliability,
            "n": n_t_obs,
        },
        index=t_codes.rename("target"),
    )
    rater_effects = pd.DataFrame(
        {"leniency": fit.a, "n": np.bincount(r_idx, minlength=n_r)},
        index=r_codes.rename("rater"),
    )
    return TwoWayResult(
        grand_mean=fit.mu,
        target_effects=target_effects,
        rater_effects=rater_effects,
        residual_sd=float(np.sqrt(var_e)) if var_e >= 0 else float("nan"),
        df_resid=int(fit.df_resid),
        variance_components={"rater": var_r, "target": var_t, "residual": var_e},
        n_ratings=len(y),
    )


def _moment_component(effects: np.ndarray, trace: float, var_e: float) -> float:
    if len(effects) < 2 or not np.isfinite(var_e):
        return float("nan")
    centred = effects - effects.mean()
    return float((centred @ centred - var_e * trace) / (len(effects) - 1))
