"""Point estimates of the whole pipeline: group fits, EB shrinkage, dimension scores, composite.

:func:`build` runs every group × dimension (``analysis.groups``), shrinks each toward its group
mean (``analysis.shrinkage``) — by default jointly with the agency's other cells
(``analysis.joint``) — and combines them (``analysis.combine``). The returned
:class:`Model` also carries what the bootstrap needs to redo the same steps on resampled data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from analysis.aggregate import Block, build_blocks
from analysis.combine import all_dimensions, combine_groups, composite, group_weight_array
from analysis.config import DIMENSIONS, RATED_DIMENSIONS, EvaluationConfig, GroupConfig
from analysis.evidence import cell_evidence
from analysis.groups import GroupFit, fit_group
from analysis.joint import cell_correlations, joint_shrink, members, nearest_correlation
from analysis.peer import SRMResult
from analysis.shrinkage import prasad_rao_se, shrink


@dataclass
class Model:
    """Point results plus the designs the bootstrap redraws (arrays indexed by agency code)."""

    config: EvaluationConfig
    groups: tuple[str, ...]
    shape: tuple[int, int, int]  # agencies, rated dimensions, groups
    fits: dict[tuple[int, int], GroupFit]
    blocks: dict[tuple[int, tuple[int, ...]], Block]
    block_of: dict[tuple[int, int], tuple[tuple[int, tuple[int, ...]], int]]
    rater_universe: dict[tuple[int, str], np.ndarray]  # (group, srm|twoway) → rater codes
    group_weights: np.ndarray  # (A, D, G)
    dimension_weights: np.ndarray  # (4,)
    fixed: np.ndarray  # (A, 2) 全面度, 时效度
    robust: np.ndarray  # (A, D, G)
    psi: np.ndarray
    score: np.ndarray  # EB-shrunk
    from_others: np.ndarray  # the part of score that comes from the agency's other cells
    reliability: np.ndarray
    posterior_se: np.ndarray
    mse_se: np.ndarray  # √MSE with the uncertainty of τ² (Prasad–Rao)
    error_corr: np.ndarray  # (G,) within-agency correlation of a respondent's two dimensions
    cell_corr: tuple[np.ndarray, np.ndarray]  # true-score and error correlation of sorted(fits)
    joint: tuple[int, ...]  # positions in sorted(fits) shrunk jointly (analysis.joint.members)
    group_mean: np.ndarray  # (D, G)
    dims: np.ndarray  # (A, 2)
    dims_weight: np.ndarray  # weight share present per agency × dimension
    composite: np.ndarray  # (A,)
    composite_weight: np.ndarray

    def group_config(self, g: int, fit: GroupFit) -> GroupConfig:
        gc = self.config.groups[self.groups[g]]
        return gc if fit.estimator == gc.estimator else replace(gc, estimator=fit.estimator)


def _dim_sets(config, prep, g: int, present: list[int]) -> list[tuple[int, ...]]:
    """Dimensions drawn jointly in the bootstrap: those with weight for this group."""
    name = prep.groups[g]
    weighted = [
        d
        for d in present
        if any(p[RATED_DIMENSIONS[d]][name] > 0 for p in config.group_weights.values())
    ]
    if len(weighted) > 1:
        return [tuple(weighted)] + [(d,) for d in present if d not in weighted]
    return [(d,) for d in present]


def make_blocks(prep, flags, config: EvaluationConfig):
    """Response histograms of every group (``analysis.aggregate.Block``) and, per group ×
    dimension, which block and column hold it."""
    blocks, block_of = {}, {}
    for g, rows in enumerate(prep.group_rows):
        if not len(rows):
            continue
        asked = prep.asked[g]
        present = [d for d in range(len(RATED_DIMENSIONS)) if asked[prep.item_dim == d].any()]
        sets = _dim_sets(config, prep, g, present)
        for block in build_blocks(prep.scores, prep.agency, rows, flags.excluded, g, sets):
            key = (g, block.dims)
            blocks[key] = block
            for k, d in enumerate(block.dims):
                block_of[(g, d)] = (key, k)
    return blocks, block_of


def build(
    prep, flags, config: EvaluationConfig, include_flagged: bool = False, blocks=None, base=None
) -> Model:
    """Fit every group × dimension on the kept responses (or on all, ``include_flagged``).

    With ``base`` (the kept-responses model), groups without excluded responses reuse its fits.
    """
    n_a, n_d, n_g = len(prep.agencies), len(RATED_DIMENSIONS), len(prep.groups)
    excluded = np.zeros(prep.n, dtype=bool) if include_flagged else flags.excluded
    blocks, block_of = blocks or make_blocks(prep, flags, config)
    fits, universe = {}, {}
    for g in range(n_g):
        rows = prep.group_rows[g]
        same = base is not None and not flags.excluded[rows].any()
        rows = rows[~excluded[rows]]
        for d in range(n_d):
            if (g, d) not in block_of:
                continue
            if same:
                if (g, d) in base.fits:
                    fits[(g, d)] = base.fits[(g, d)]
                continue
            key, k = block_of[(g, d)]
            fit = fit_group(prep, rows, config, prep.groups[g], d, blocks[key], k, include_flagged)
            if fit is not None:
                fits[(g, d)] = fit
        for kind in ("srm", "twoway"):  # the two code spaces: agencies vs raters
            raters = [
                f.design["raters"]
                for (gg, _), f in fits.items()
                if gg == g and f.design.get("kind") == kind
            ]
            if raters:
                universe[(g, kind)] = np.unique(np.concatenate(raters))

    robust = np.full((n_a, n_d, n_g), np.nan)
    psi = np.full_like(robust, np.nan)
    for (g, d), fit in fits.items():
        robust[fit.agencies, d, g] = fit.robust
        psi[fit.agencies, d, g] = fit.psi
    score, rel, post = robust.copy(), np.full_like(robust, np.nan), np.sqrt(psi)
    mu = np.full((n_d, n_g), np.nan)
    mse_se = post.copy()
    others = np.where(np.isnan(robust), np.nan, 0.0)
    tau2 = {}
    for g, d in fits:
        if config.shrinkage:
            out = shrink(robust[:, d, g], psi[:, d, g])
            score[:, d, g], rel[:, d, g] = out.score, out.reliability
            post[:, d, g], mu[d, g], tau2[(g, d)] = out.posterior_se, out.mu, float(out.tau2)
            mse_se[:, d, g] = prasad_rao_se(robust[:, d, g], psi[:, d, g])
        else:
            mu[d, g] = np.mean(robust[fits[(g, d)].agencies, d, g])
    error_corr = np.array(
        [
            base.error_corr[g]
            if base is not None and not flags.excluded[rows].any()
            else _error_corr(prep, rows[~excluded[rows]])
            for g, rows in enumerate(prep.group_rows)
        ]
    )
    keys = sorted(fits)
    cell_corr = cell_correlations(robust, psi, error_corr, keys)
    joint = []
    if config.shrinkage and config.shrinkage_model == "joint":
        joins = [config.groups[name].joint for name in prep.groups]
        joint = members(robust, psi, keys, joins)
        _joint_point(keys, joint, tau2, cell_corr, robust, psi, mu, score, post, mse_se, others)

    info = prep.agency_info
    weights = group_weight_array(config, info["profile"].tolist(), prep.groups)
    dim_w = np.array([config.dimension_weights[d] for d in DIMENSIONS])
    fixed = info[["comprehensiveness", "timeliness"]].to_numpy(dtype=float)
    dims, dims_weight = combine_groups(score, weights, mu, config.missing_group)
    comp, comp_weight = composite(all_dimensions(fixed, dims), dim_w)
    return Model(
        config=config,
        groups=prep.groups,
        shape=(n_a, n_d, n_g),
        fits=fits,
        blocks=blocks,
        block_of=block_of,
        rater_universe=universe,
        group_weights=weights,
        dimension_weights=dim_w,
        fixed=fixed,
        robust=robust,
        psi=psi,
        score=score,
        from_others=others,
        reliability=rel,
        posterior_se=post,
        mse_se=mse_se,
        error_corr=error_corr,
        cell_corr=cell_corr,
        joint=tuple(joint),
        group_mean=mu,
        dims=dims,
        dims_weight=dims_weight,
        composite=comp,
        composite_weight=comp_weight,
    )


def _joint_point(keys, use, tau2, cell_corr, robust, psi, mu, score, post, mse_se, others):
    """Replace the one-cell EB scores by the joint ones (``analysis.joint``), in place: score,
    posterior SD, the Prasad–Rao √MSE (the joint posterior variance plus each cell group's
    own τ² term ``2·g3``, which the one-cell fit gave as ``mse² − post²``) and the part of
    the score from the agency's other cells."""
    if not use:
        return
    sub = [keys[k] for k in use]
    y = np.stack([robust[:, d, g] for g, d in sub], axis=1)
    v = np.stack([psi[:, d, g] for g, d in sub], axis=1)
    truth, err = (c[np.ix_(use, use)] for c in cell_corr)
    truth = nearest_correlation(truth)
    t = np.array([tau2[key] for key in sub])
    m = np.array([mu[d, g] for g, d in sub])
    joint, joint_post, borrowed = joint_shrink(y, v, t, m, truth, err)
    for k, (g, d) in enumerate(sub):
        tau_term = np.maximum(mse_se[:, d, g] ** 2 - post[:, d, g] ** 2, 0.0)
        have = ~np.isnan(joint[:, k])
        score[have, d, g] = np.clip(joint[have, k], 0.0, 100.0)
        post[have, d, g] = joint_post[have, k]
        mse_se[have, d, g] = np.sqrt(joint_post[have, k] ** 2 + tau_term[have])
        others[have, d, g] = borrowed[have, k]


def _error_corr(prep, rows: np.ndarray) -> float:
    """Correlation of respondents' effectiveness and cooperation scores around their agency's
    means (how much the two dimensions' sampling errors move together); 0 without data."""
    s = prep.scores[rows]
    both = ~(np.isnan(s[:, 0]) | np.isnan(s[:, 1]))  # not .any(axis=1): 20× slower on (n, 2)
    if both.sum() < 3:
        return 0.0
    s, agency = s[both], prep.agency[rows][both]
    size = len(prep.agencies)
    count = np.maximum(np.bincount(agency, minlength=size), 1)
    # Agency means of both dimensions as one (agencies, 2) table: one gather of both.
    means = np.empty((size, 2))
    for d in (0, 1):
        means[:, d] = np.bincount(agency, s[:, d], size) / count
    resid = s - means[agency]
    den = np.sqrt((resid**2).sum(axis=0).prod())
    return float((resid[:, 0] * resid[:, 1]).sum() / den) if den > 0 else 0.0


CELL_COLUMNS = [
    "agency_id", "dimension", "group", "n", "n_with_flagged", "estimator", "mean", "sd",
    "trimmed_mean", "trim_g", "robust", "se", "ci_low", "ci_high", "satisfaction",
    "satisfaction_ci_low", "satisfaction_ci_high", "score", "centre", "from_own", "from_others",
    "reliability", "posterior_se",
    "mse_se", "low_n", "low_reliability", "low_confidence",
]  # fmt: skip


def cell_table(prep, model: Model, n_all: dict) -> pd.DataFrame:
    """Per agency × dimension × group: n, mean, robust score, se, ci, EB score, reliability,
    low-confidence marks (one row per cell with at least one response)."""
    cfg = model.config
    _, meets = cell_evidence(prep, model)
    parts = []
    for (g, d), fit in sorted(model.fits.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        desc, a = fit.describe, fit.agencies
        centre = model.group_mean[d, g]
        gc = cfg.groups[prep.groups[g]]
        n = desc["n"]
        part = pd.DataFrame(
            {
                "agency_id": prep.agencies.to_numpy()[a],
                "dimension": RATED_DIMENSIONS[d],
                "group": prep.groups[g],
                "n": n.astype(np.int64),
                "n_with_flagged": n_all.get((g, d), {}).get("n", n).astype(np.int64),
                "estimator": fit.estimator,
                "mean": desc["mean"],
                "sd": np.sqrt(desc["var"]),
                "trimmed_mean": desc["trimmed"],
                "trim_g": desc["g"].astype(np.int64),
                "robust": fit.robust,
                "se": fit.se,
                "ci_low": fit.ci_low,
                "ci_high": fit.ci_high,
                "satisfaction": desc["satisfaction"],
                "satisfaction_ci_low": desc["satisfaction_ci_low"],
                "satisfaction_ci_high": desc["satisfaction_ci_high"],
                "score": model.score[a, d, g],
                # score = centre + from_own + from_others: the group's mean, what the cell's
                # own data add, what the agency's other cells add (0 in the one-cell model).
                "centre": np.full(len(a), centre),
                "from_own": model.score[a, d, g] - centre - model.from_others[a, d, g],
                "from_others": model.from_others[a, d, g],
                "reliability": model.reliability[a, d, g],
                "posterior_se": model.posterior_se[a, d, g],
                "mse_se": model.mse_se[a, d, g],
            }
        )
        # Below the group's minimum n or, for the round robin, rated by too few agencies.
        part["low_n"] = ~meets[a, d, g]
        if isinstance(fit.model, SRMResult) and gc.min_share > 0:
            part["n_raters"] = fit.model.target_effects["n_raters"].reindex(a).to_numpy()
        part["low_reliability"] = part["reliability"] < cfg.reliability_threshold
        part["low_confidence"] = part["low_n"] | part["low_reliability"]
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=CELL_COLUMNS)
    return pd.concat(parts, ignore_index=True)
