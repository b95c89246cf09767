"""One group × one dimension → one robust score per agency, with its sampling variance.

Estimators (``GroupConfig.estimator``):

- ``mean`` / ``trimmed``: from the response histogram (``analysis.aggregate``). EB sampling
  variance ``ψ_j = s²_j/n_j`` (mean) or ``s²_w,j/((1−2γ)²n_j)`` (trimmed, Yuen form), the
  cell's own (winsorized) variance moderated towards the group's pooled one with
  ``variance_prior_df`` degrees of freedom (§2.4: a per-agency variance from a handful of
  deputies is noise; from 300 respondents it is not, and agencies near the scale's ceiling
  vary less than those in its middle), the pooled one placed on the bounded-score trend
  ``m(100 − m)`` at the cell's provisional level (``variance_trend``, :func:`level_ratio`).
- ``srm``: the Social Relations Model target score ``m + b_j`` of :func:`analysis.peer.srm`
  (leniency removed), ``ψ_j = se_j²``. Needs every response to name its rater agency.
- ``twoway`` / ``twoway_if_partial``: :func:`analysis.twoway.rater_adjusted` target score
  ``μ + b_t`` (``twoway_if_partial`` only when some rater skipped some agency), ``ψ = se²``.

When a model cannot be fitted (missing rater ids, fewer than 4 agencies, too many missing
round-robin cells, a disconnected design) the group falls back to the trimmed mean with the
group's trim settings, and ``note`` says why — reported in the quality report.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats

from analysis.aggregate import Block, cell_summary, location_stats, sorted_dimension
from analysis.config import EvaluationConfig, GroupConfig
from analysis.peer import SRMResult, srm
from analysis.shrinkage import shrink
from analysis.twoway import TwoWayResult, pair_means, rater_adjusted

_PSI_FLOOR = 1e-9


@dataclass
class GroupFit:
    """Robust scores of one group × dimension for the agencies with data (``agencies``)."""

    group: str
    dimension: int
    estimator: str
    agencies: np.ndarray
    robust: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    psi: np.ndarray
    describe: dict
    note: str | None = None
    model: SRMResult | TwoWayResult | None = None
    design: dict = field(default_factory=dict)


def _histogram_part(block: Block, k: int, counts: np.ndarray, gc: GroupConfig, config):
    order, v_sorted, valid = sorted_dimension(block, k)
    c_sorted = np.take_along_axis(counts, order, axis=1) * valid
    st = location_stats(v_sorted, c_sorted, gc, config.satisfied_threshold)
    summary = cell_summary(st, gc, config.confidence)
    return st, summary


def describe(block: Block, k: int, gc: GroupConfig, config, include_flagged=False) -> dict:
    """Descriptive statistics of every cell of ``block`` for its ``k``-th dimension."""
    counts = block.counts_all if include_flagged else block.counts
    st, summary = _histogram_part(block, k, counts, gc, config)
    keep = st["n"] > 0
    out = {"agencies": block.agencies[keep]}
    for key, value in {**st, **summary}.items():
        if isinstance(value, tuple):
            out[f"{key}_low"], out[f"{key}_high"] = value[0][keep], value[1][keep]
        else:
            out[key] = value[keep]
    return out


def pooled_psi(
    st: dict, trimmed: bool, prior_df: float | None = None, ratio: np.ndarray | None = None
) -> np.ndarray:
    """EB sampling variance ``s²_j/n_j`` (Yuen ``s²_w,j/((1−2γ)²n_j)`` when trimmed) with the
    cell's own (winsorized) variance moderated towards the group's pooled one:
    ``s²_j = ((n_j − 1)·var_j + prior_df·pooled·r_j)/(n_j − 1 + prior_df)`` (the posterior
    mean of a scaled-inverse-χ² prior with ``prior_df`` degrees of freedom; Smyth 2004's
    moderated variance). ``ratio`` ``r_j`` (default 1) places the prior on a mean–variance
    trend (:func:`level_ratio`). ``prior_df = None`` is the pooled variance alone. Works on
    replicate axes."""
    n = st["n"]
    var = st["wvar"] if trimmed else st["var"]
    dof = np.where(n > 1, n - 1, 0.0)
    own = np.where(n > 1, var, 0.0)
    pooled = (own * dof).sum(axis=-1) / np.maximum(dof.sum(axis=-1), 1)
    pooled = np.maximum(pooled, _PSI_FLOOR)[..., None]
    if prior_df is not None:
        prior = pooled if ratio is None else pooled * ratio
        pooled = np.maximum((dof * own + prior_df * prior) / (dof + prior_df), _PSI_FLOOR)
    safe = np.where(n > 0, n, 1.0)
    if trimmed:
        shrink = (1 - 2 * st["gamma"]) ** 2
        return np.where(n - 2 * st["g"] > 0, pooled / (shrink * safe), np.nan)
    return np.where(n > 0, pooled / safe, np.nan)


_LEVEL_GUARD = 1.0  # levels within 1 point of a bound count as 1 point from it


def level_ratio(level: np.ndarray, dof: np.ndarray) -> np.ndarray:
    """The variance function of a score bounded by 0 and 100, ``v(m) = m(100 − m)`` (the
    binomial / beta form of a bounded mean: Wedderburn 1974, Smithson & Verkuilen 2006), at
    each cell's level, over its mean across the group's cells weighted by their degrees of
    freedom ``dof``: the pooled variance, spread along the trend (limma-trend's moderation
    towards a mean–variance trend, Law et al. 2014), keeps its weighted mean."""
    m = np.clip(np.asarray(level, dtype=float), _LEVEL_GUARD, 100.0 - _LEVEL_GUARD)
    v = m * (100.0 - m)
    dof = np.where(np.isnan(v), 0.0, np.broadcast_to(np.asarray(dof, dtype=float), v.shape))
    total = dof.sum(axis=-1, keepdims=True)
    mean = (np.where(dof > 0, v, 0.0) * dof).sum(axis=-1, keepdims=True) / np.maximum(total, 1)
    ratio = np.divide(v, mean, out=np.ones_like(v), where=(total > 0) & (mean > 0))
    return np.where(np.isnan(v), 1.0, ratio)


def provisional_level(y: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """Where each cell's truth is thought to lie, for the variance trend: its EB-shrunk score
    under the constant-prior ψ (a cell of 3 that answered all 5 is not taken to sit at 100);
    fewer than 3 agencies, its own score."""
    out = shrink(np.asarray(y, dtype=float), np.asarray(psi, dtype=float)).score
    return np.where(np.isnan(out), y, out)


def histogram_psi(st: dict, trimmed: bool, gc: GroupConfig, robust) -> np.ndarray:
    """ψ of every cell (:func:`pooled_psi`); with ``variance_trend`` the prior of the
    moderation follows the bounded-score trend at the cell's provisional level
    (:func:`level_ratio`). Works on replicate axes."""
    psi = pooled_psi(st, trimmed, gc.variance_prior_df)
    if not gc.variance_trend or gc.variance_prior_df is None:
        return psi
    dof = np.where(st["n"] > 1, st["n"] - 1, 0.0)
    ratio = level_ratio(provisional_level(robust, psi), dof)
    return pooled_psi(st, trimmed, gc.variance_prior_df, ratio)


def _histogram_fit(name, d, gc, desc, note=None) -> GroupFit:
    trimmed = gc.estimator != "mean"
    key = "trimmed" if trimmed else "mean"
    st = {k: desc[k] for k in ("n", "var", "wvar", "g", "gamma")}
    return GroupFit(
        group=name,
        dimension=d,
        estimator=key,
        agencies=desc["agencies"],
        robust=desc[key],
        se=desc["se_trimmed" if trimmed else "se_mean"],
        ci_low=desc[f"{key}_ci_low"],
        ci_high=desc[f"{key}_ci_high"],
        psi=histogram_psi(st, trimmed, gc, desc[key]),
        describe=desc,
        note=note,
    )


def _ratings(prep, rows: np.ndarray, d: int, as_agency: bool) -> pd.DataFrame | str:
    idx = rows[~np.isnan(prep.scores[rows, d])]
    rater = prep.rater[idx]
    if (rater < 0).any():
        return f"{int((rater < 0).sum())} responses lack a rater_id"
    if as_agency:  # peer raters are agencies: code them like targets
        codes = prep.agencies.get_indexer(prep.raters)
        mapped = codes[rater]
        outside = mapped < 0
        mapped[outside] = len(prep.agencies) + rater[outside]
        rater = mapped
    return pd.DataFrame({"rater": rater, "target": prep.agency[idx], "score": prep.scores[idx, d]})


def _model_fit(name, d, gc, desc, ratings, config) -> GroupFit | str:
    z = float(stats.norm.ppf(0.5 + config.confidence / 2))
    try:
        if gc.estimator == "srm":
            model = srm(ratings, max_missing=config.peer.max_missing)
            effects = model.target_effects
            effects = effects[effects["n_raters"] > 0]
            robust, se = effects["score"], effects["se"]
            rel = model.relationship[~model.relationship["imputed"]]
            residuals = (rel["target"], rel["g"], 2 * len(effects) - 1)
            design = _srm_design(model)
        else:
            pairs = pair_means(ratings)
            if gc.estimator == "twoway_if_partial":
                per_rater = pairs.groupby("rater")["target"].nunique()
                if (per_rater == pairs["target"].nunique()).all():
                    return "every rater rated every agency (complete design)"
            model = rater_adjusted(pairs)  # pairs are their own pair means: one groupby
            effects = model.target_effects
            robust, se = effects["adjusted"], effects["se"]
            resid = (
                pairs["score"].to_numpy()
                - model.grand_mean
                - model.rater_effects["leniency"].reindex(pairs["rater"]).to_numpy()
                - effects["effect"].reindex(pairs["target"]).to_numpy()
            )
            params = len(model.rater_effects) + len(effects) - 1
            residuals = (pairs["target"], resid, params)
            design = _twoway_design(pairs)
    except ValueError as exc:
        return str(exc)
    agencies = robust.index.to_numpy(dtype=np.int64)
    keep = np.isin(desc["agencies"], agencies)
    desc = {k: v[keep] for k, v in desc.items()}
    pos = pd.Index(agencies).get_indexer(desc["agencies"])
    # Leniency-adjusted values can leave the scale (an agency rated 100 by severe raters);
    # scores are reported on 0–100, so they are clipped to it.
    robust, se = np.clip(robust.to_numpy()[pos], 0.0, 100.0), se.to_numpy()[pos]
    rss = _residual_sums(residuals[0], residuals[1])  # once: both spreads below share it
    spread = _target_spread(*residuals, gc, rss=rss).reindex(agencies).fillna(1.0).to_numpy()[pos]
    if gc.variance_trend and gc.variance_prior_df is not None:
        level = pd.Series(provisional_level(robust, se**2 * spread), index=agencies[pos])
        spread = _target_spread(*residuals, gc, level, rss).reindex(agencies).fillna(1.0)
        spread = spread.to_numpy()[pos]
    return GroupFit(
        group=name,
        dimension=d,
        estimator="srm" if gc.estimator == "srm" else "twoway",
        agencies=desc["agencies"],
        robust=robust,
        se=se,
        ci_low=np.clip(robust - z * se, 0.0, 100.0),
        ci_high=np.clip(robust + z * se, 0.0, 100.0),
        psi=np.maximum(se**2 * spread, _PSI_FLOOR),
        describe=desc,
        model=model,
        design=design,
    )


def _residual_sums(target: pd.Series, resid) -> pd.DataFrame:
    """Per target, the ``sum`` of its squared residuals and their count (``size``)."""
    resid = np.asarray(resid, dtype=float)
    return pd.Series(resid**2).groupby(target.to_numpy()).agg(["sum", "size"])


def _target_spread(
    target: pd.Series, resid, params: int, gc: GroupConfig, level: pd.Series | None = None,
    rss: pd.DataFrame | None = None,
) -> pd.Series:  # fmt: skip
    """Per target, its residual variance over the model's pooled one, moderated like
    :func:`pooled_psi`: ``(RSS_t + prior_df·σ²·r_t)/((df_t + prior_df)·σ²)``, ``df_t`` the
    target's share of the residual degrees of freedom, ``r_t`` the bounded-score trend at
    the target's ``level`` (:func:`level_ratio`; 1 without a level). The model's se² assumes
    one residual variance for all; an agency in the middle of the scale scatters more than
    one near its ceiling. ``prior_df = None``: 1 for all. ``rss``: :func:`_residual_sums` of
    ``target`` and ``resid`` when already computed."""
    rss = _residual_sums(target, resid) if rss is None else rss
    n_resid = len(resid)
    df_total = n_resid - params
    if gc.variance_prior_df is None or df_total <= 0:
        return pd.Series(1.0, index=rss.index)
    sigma2 = float(rss["sum"].sum()) / df_total
    if sigma2 <= 0:
        return pd.Series(1.0, index=rss.index)
    df_t = rss["size"] * df_total / n_resid
    d0 = gc.variance_prior_df
    ratio = 1.0
    if level is not None:
        at = level.reindex(rss.index).to_numpy(dtype=float)
        ratio = pd.Series(level_ratio(at, df_t.to_numpy()), index=rss.index)
    return (rss["sum"] + d0 * sigma2 * ratio) / ((df_t + d0) * sigma2)


def _srm_design(model: SRMResult) -> dict:
    """The completed round-robin matrix (imputed cells filled) for the rater bootstrap."""
    ids = model.target_effects.index
    n = len(ids)
    a = model.rater_effects["effect"].reindex(ids).to_numpy()
    b = model.target_effects["effect"].to_numpy()
    g = np.zeros((n, n))
    rel = model.relationship
    g[ids.get_indexer(rel["rater"]), ids.get_indexer(rel["target"])] = rel["g"].to_numpy()
    z = model.grand_mean + a[:, None] + b[None, :] + g
    np.fill_diagonal(z, 0.0)
    codes = ids.to_numpy(dtype=np.int64)
    return {"kind": "srm", "ids": codes, "raters": codes, "z": z}


def _twoway_design(pairs: pd.DataFrame) -> dict:
    r_idx, raters = pd.factorize(pairs["rater"], sort=True)
    t_idx, targets = pd.factorize(pairs["target"], sort=True)
    n = np.zeros((len(raters), len(targets)))
    y = np.zeros_like(n)
    n[r_idx, t_idx] = 1.0
    y[r_idx, t_idx] = pairs["score"].to_numpy()
    return {
        "kind": "twoway",
        "ids": np.asarray(targets, dtype=np.int64),
        "raters": np.asarray(raters, dtype=np.int64),
        "n": n,
        "y": y,
    }


def fit_group(
    prep, rows: np.ndarray, config: EvaluationConfig, name: str, d: int, block, k,
    include_flagged: bool = False,
) -> GroupFit | None:  # fmt: skip
    """Fit one group × dimension on ``rows`` (indices of the group's responses to use)."""
    gc = config.groups[name]
    desc = describe(block, k, gc, config, include_flagged)
    if not len(desc["agencies"]):
        return None
    if gc.estimator in ("mean", "trimmed"):
        return _histogram_fit(name, d, gc, desc)
    ratings = _ratings(prep, rows, d, as_agency=gc.estimator == "srm")
    fit = ratings if isinstance(ratings, str) else _model_fit(name, d, gc, desc, ratings, config)
    if isinstance(fit, GroupFit):
        return fit
    fallback = replace(gc, estimator="trimmed")
    return _histogram_fit(name, d, fallback, desc, note=f"{gc.estimator} not used: {fit}")
