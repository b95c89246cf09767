"""Bootstrap over respondents and raters for every score (STATISTICS.md §2.3, §5).

Each replicate redraws the data the way it was collected and recomputes everything downstream
— robust group scores, EB shrinkage (τ² re-estimated), dimension scores and the composite:

- Groups scored by ``mean``/``trimmed``: respondents are resampled within each agency. A
  group's respondent scores take few distinct values, so drawing n respondents with
  replacement is one multinomial draw over the cell's histogram; means, trimmed means,
  winsorized variances and the pooled EB variance follow exactly from the drawn counts. When
  both dimensions of a group carry weight the histogram is over the *pair* of scores, so a
  respondent's two scores stay together; otherwise each dimension's histogram is drawn alone
  (exact for every reported quantity, and far fewer bins).
- ``srm`` groups: rater rows of the round-robin matrix are resampled (weights ``w_i`` =
  multiplicities). The SRM partner score is the least-squares additive fit; with row weights
  it has a closed form, computed for all replicates at once (:func:`weighted_srm_scores`).
  Imputed cells keep their imputed value; ``ψ`` keeps its point value (the SRM error formula has
  no weighted form).
- ``twoway`` groups: raters are resampled and the weighted least-squares two-way model is
  solved for all replicates in one batched solve (:func:`weighted_twoway_scores`).
- One draw of rater weights per group serves both dimensions, so their correlation is kept.

Replicates are drawn in chunks (``bootstrap.chunk``) with one seed per chunk spawned from
``bootstrap.seed``, so results do not depend on the number of worker threads.

Without replicates (``replicates = 0``) intervals are analytic (:func:`analytic`): normal, from
the EB posterior SEs, treating agencies as independent — a stand-in that ignores shared raters
(reported as ``method = "analytic"``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analysis import joint
from analysis.aggregate import location_stats, sorted_dimension
from analysis.combine import all_dimensions, combine_groups, composite
from analysis.groups import histogram_psi
from analysis.shrinkage import shrink

ANALYTIC_DRAWS = 1000


@dataclass(frozen=True)
class Draws:
    """Uncertainty of every score: ``cell_ci``/``dim_ci`` (low, high) for the shrunk group
    scores ``(A, D, G)`` and rated dimensions ``(A, 2)``; ``composite (B, A)`` replicates for
    rank intervals and band probabilities; ``method`` bootstrap or analytic."""

    method: str
    cell_ci: tuple[np.ndarray, np.ndarray]
    dim_ci: tuple[np.ndarray, np.ndarray]
    composite: np.ndarray


def column_quantile(draws: np.ndarray, q: float) -> np.ndarray:
    """Quantile of each column over replicates, skipping NaN, without all-NaN warnings."""
    flat = draws.reshape(draws.shape[0], -1)
    out = np.full(flat.shape[1], np.nan)
    have = ~np.isnan(flat).all(axis=0)
    if have.any():
        sub = np.sort(flat[:, have], axis=0)  # NaN last
        count = (~np.isnan(sub)).sum(axis=0)
        pos = q * (count - 1)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, count - 1)
        frac = pos - lo
        cols = np.arange(sub.shape[1])
        out[have] = sub[lo, cols] * (1 - frac) + sub[hi, cols] * frac
    return out.reshape(draws.shape[1:])


def percentiles(draws: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    alpha = 1 - confidence
    return column_quantile(draws, alpha / 2), column_quantile(draws, 1 - alpha / 2)


def weighted_srm_scores(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """SRM target scores ``(B, n)`` for rater weights ``w (B, n)`` on a complete matrix ``z``.

    Row-weighted least squares of ``X_ij = μ_i + b_j`` (i ≠ j): the rater equations give
    ``μ_i = R_i − (S_b − b_i)/(n−1)`` (``R_i`` row mean, ``S_b = Σ b``); substituting into the
    target equations and fixing ``Σ w_j b_j = 0`` gives ``b_j = (C_j + S_b·W_j/(n−1))/D_j`` with
    ``W_j = Σ_{i≠j} w_i``, ``C_j = Σ_{i≠j} w_i(X_ij − R_i)``, ``D_j = W_j − w_j/(n−1)`` and
    ``S_b`` from ``S_b = Σ b_j``. The score is the weighted-average rater's ``μ̄ + b_j``; with
    all ``w = 1`` it equals TripleR's ``m + b_j``.
    """
    n = z.shape[0]
    k = n - 1
    row = z.sum(axis=1) / k
    total = w.sum(axis=1, keepdims=True)
    big_w = total - w
    c = w @ z - (w @ row)[:, None] + w * row[None, :]
    d = big_w - w / k
    ok = d > 1e-12
    inv_d = np.divide(1.0, d, out=np.zeros_like(d), where=ok)
    s_b = (c * inv_d).sum(axis=1) / (1.0 - (big_w * inv_d).sum(axis=1) / k)
    b = (c + s_b[:, None] * big_w / k) * inv_d
    mu = row[None, :] - (s_b[:, None] - b) / k
    score = (w * mu).sum(axis=1, keepdims=True) / total + b
    return np.where(ok, score, np.nan)


def weighted_twoway_scores(n: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Rater-adjusted target scores ``(B, T)`` for rater weights ``w (B, R)``.

    ``n (R, T)`` marks rated pairs, ``y`` their (pair-mean) scores. Weighted normal equations
    reduced to the targets: ``S(w) b = r(w)`` with ``S = diag(wᵀN) − Nᵀ diag(w/d) N`` and
    ``r = Yᵀw − Nᵀ(w∘ȳ_r)``, solved with ``Σ b = 0`` over the targets some drawn rater rated
    (others: NaN). Score = weighted-average rater level + ``b_t`` (equals
    :func:`analysis.twoway.rater_adjusted` at ``w = 1``).
    """
    d = n.sum(axis=1)
    ry = y.sum(axis=1)
    wd = w / d
    col = w @ n
    active = col > 1e-12
    s = -np.einsum("tr,br,rs->bts", n.T, wd, n, optimize=True)
    idx = np.arange(n.shape[1])
    s[:, idx, idx] += col
    a = active.astype(float)
    s += a[:, :, None] * a[:, None, :]
    s[:, idx, idx] += 1.0 - a
    rhs = w @ y - (wd * ry) @ n
    try:
        b = np.linalg.solve(s, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        b = np.stack([np.linalg.lstsq(m, r, rcond=None)[0] for m, r in zip(s, rhs, strict=True)])
    b = np.where(active, b, 0.0)
    mu = (ry[None, :] - b @ n.T) / d[None, :]
    level = (w * mu).sum(axis=1, keepdims=True) / w.sum(axis=1, keepdims=True)
    return np.where(active, level + b, np.nan)


def _block_inputs(model):
    """Per block: cell sizes, probabilities and the per-dimension sort orders."""
    prepared = {}
    used = {
        model.block_of[key]
        for key, fit in model.fits.items()
        if fit.estimator in ("mean", "trimmed")
    }
    for key, block in model.blocks.items():
        if key not in {k for k, _ in used}:
            continue  # scored by a rater model: its respondents are not redrawn
        n = block.counts.sum(axis=1)
        p = np.divide(
            block.counts, n[:, None], out=np.zeros_like(block.counts), where=n[:, None] > 0
        )
        p[n == 0, 0] = 1.0
        p = np.clip(p, 0.0, None)
        p /= p.sum(axis=1, keepdims=True)
        sorts = []
        for k in range(len(block.dims)):
            v = block.values[:, :, k]
            valid = ~np.isnan(v)
            sorts.append((*sorted_dimension(block, k), np.where(valid, v, 0.0), valid))
        prepared[key] = (n.astype(np.int64), p, sorts)
    return prepared


def _chunk(model, inputs, size: int, seed) -> tuple[np.ndarray, ...]:
    cfg = model.config
    rng = np.random.default_rng(seed)
    a, n_d, n_g = model.shape
    robust = np.full((size, a, n_d, n_g), np.nan)
    psi = np.full_like(robust, np.nan)
    draws = {}
    for key, (n, p, _) in inputs.items():
        draws[key] = rng.multinomial(n, p, size=(size, len(n))).astype(float)
    weights = {}
    for key, universe in model.rater_universe.items():
        m = len(universe)
        weights[key] = rng.multinomial(m, np.full(m, 1.0 / m), size=size).astype(float)
    for (g, d), fit in model.fits.items():
        gc = model.group_config(g, fit)
        if fit.estimator in ("mean", "trimmed"):
            key, k = model.block_of[(g, d)]
            order, v_sorted, valid, v_plain, valid_plain = inputs[key][2][k]
            trimmed = fit.estimator == "trimmed"
            if trimmed:
                counts = np.take_along_axis(draws[key], order[None], axis=2) * valid
                st = location_stats(v_sorted, counts, gc, cfg.satisfied_threshold)
            else:
                counts = draws[key] * valid_plain
                st = location_stats(v_plain, counts, gc, cfg.satisfied_threshold, False)
            cols = model.blocks[key].agencies
            robust[:, cols, d, g] = st["trimmed" if trimmed else "mean"]
            psi[:, cols, d, g] = histogram_psi(st, trimmed, gc, robust[:, cols, d, g])
            continue
        design = fit.design
        key = (g, design["kind"])
        w = weights[key][:, model.rater_universe[key].searchsorted(design["raters"])]
        if design["kind"] == "srm":
            scores = weighted_srm_scores(design["z"], w)
        else:
            scores = weighted_twoway_scores(design["n"], design["y"], w)
        pos = np.searchsorted(design["ids"], fit.agencies)
        robust[:, fit.agencies, d, g] = np.clip(scores[:, pos], 0.0, 100.0)
        psi[:, fit.agencies, d, g] = fit.psi
    return finish(model, robust, psi, rng)


def fixed_draws(model, size: int, rng) -> np.ndarray:
    """全面度/时效度 ``(B, A, 2)``: their point values plus the stated measurement error
    (``config.fixed_error``, an SD in points; 0 = taken as exact), clipped to 0–100."""
    sd = np.array([model.config.fixed_error[d] for d in ("comprehensiveness", "timeliness")])
    fixed = np.broadcast_to(model.fixed, (size, *model.fixed.shape))
    if not sd.any():
        return fixed
    return np.clip(fixed + rng.standard_normal(fixed.shape) * sd, 0.0, 100.0)


def finish(model, robust: np.ndarray, psi: np.ndarray, rng):
    """EB per group × dimension, then dimension scores and composite, for all replicates."""
    cfg = model.config
    cells = robust.copy()
    mu = np.full((robust.shape[0], robust.shape[2], robust.shape[3]), np.nan)
    tau2 = {}
    for g, d in model.fits:
        y = robust[:, :, d, g]
        if cfg.shrinkage:
            out = shrink(y, psi[:, :, d, g])
            cells[:, :, d, g] = out.score
            mu[:, d, g], tau2[(g, d)] = out.mu, out.tau2
        else:
            have = ~np.isnan(y)
            count = have.sum(axis=1)
            total = np.where(have, y, 0.0).sum(axis=1)
            mu[:, d, g] = np.divide(total, count, out=np.full(len(y), np.nan), where=count > 0)
    if model.joint:
        _joint_replicates(model, robust, psi, tau2, mu, cells)
    dims, _ = combine_groups(cells, model.group_weights, mu, cfg.missing_group)
    fixed = fixed_draws(model, robust.shape[0], rng)
    comp, _ = composite(all_dimensions(fixed, dims), model.dimension_weights)
    return cells, dims, comp


def _joint_replicates(model, robust, psi, tau2, mu, cells) -> None:
    """The joint shrinkage (``analysis.joint``) of every replicate, in place of the one-cell
    scores: each replicate's own τ² and μ, the point model's correlations."""
    keys = sorted(model.fits)
    use = list(model.joint)
    sub = [keys[k] for k in use]
    truth, err = (c[np.ix_(use, use)] for c in model.cell_corr)
    y = np.stack([robust[:, :, d, g] for g, d in sub], axis=-1)
    v = np.stack([psi[:, :, d, g] for g, d in sub], axis=-1)
    t = np.stack([np.where(np.isnan(tau2[key]), 0.0, tau2[key]) for key in sub], axis=-1)
    m = np.stack([mu[:, d, g] for g, d in sub], axis=-1)
    v = np.where(np.isnan(y), np.nan, v)
    sigma, sampling = joint.covariances(t, v, joint.nearest_correlation(truth), err)
    scores = joint.centres(y, m, joint.gains(sigma, sampling)[0])
    for k, (g, d) in enumerate(sub):
        cells[:, :, d, g] = np.clip(scores[..., k], 0.0, 100.0)


def bootstrap(model, replicates: int, seed: int, chunk: int, workers: int = 1) -> Draws:
    """``replicates`` bootstrap draws of every score (see module docstring)."""
    inputs = _block_inputs(model)
    sizes = [min(chunk, replicates - s) for s in range(0, replicates, chunk)]
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    jobs = list(zip(sizes, seeds, strict=True))
    if workers > 1 and len(jobs) > 1:
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(lambda job: _chunk(model, inputs, *job), jobs))
    else:
        parts = [_chunk(model, inputs, *job) for job in jobs]
    cells, dims, comp = (np.concatenate(x) for x in zip(*parts, strict=True))
    level = model.config.confidence
    return Draws("bootstrap", percentiles(cells, level), percentiles(dims, level), comp)


def analytic(model, seed: int) -> Draws:
    """Normal intervals from the Prasad–Rao √MSE (posterior SE plus the uncertainty of τ²;
    ``analysis.shrinkage.prasad_rao_se``), cells independent (no shared raters).

    Dimension scores and the composite are linear in the cell scores (weights renormalised
    over the cells present; a ``group_mean`` fill has no sampling error), so their variances
    are ``Σ coef²·se²``. Composite replicates ``N(C, var)`` drive ranks and band
    probabilities. Intervals are clipped to 0–100.
    """
    cfg = model.config
    z = stats.norm.ppf(0.5 + cfg.confidence / 2)
    score, se = model.score, np.where(np.isnan(model.mse_se), 0.0, model.mse_se)
    have = ~np.isnan(score)
    w = np.where(have, model.group_weights, 0.0)
    total = w.sum(axis=-1, keepdims=True)
    if cfg.missing_group == "group_mean":
        filled = ~have & ~np.isnan(model.group_mean)[None] & (model.group_weights > 0)
        total = total + np.where(filled, model.group_weights, 0.0).sum(axis=-1, keepdims=True)
    coef = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
    dim_var = (coef**2 * se**2).sum(axis=-1)
    dims = np.concatenate([model.fixed, model.dims], axis=-1)
    dw = np.where(np.isnan(dims), 0.0, model.dimension_weights)
    share = np.divide(dw, dw.sum(axis=-1, keepdims=True), out=np.zeros_like(dw),
                      where=dw.sum(axis=-1, keepdims=True) > 0)  # fmt: skip
    fixed_sd = np.array([cfg.fixed_error[d] for d in ("comprehensiveness", "timeliness")])
    comp_var = (share[:, 2:] ** 2 * dim_var).sum(axis=-1) + (share[:, :2] ** 2 * fixed_sd**2).sum(
        axis=-1
    )
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((ANALYTIC_DRAWS, len(comp_var))) * np.sqrt(comp_var)
    comp = np.clip(model.composite + noise, 0.0, 100.0)

    def interval(centre, sd):
        return np.clip(centre - z * sd, 0.0, 100.0), np.clip(centre + z * sd, 0.0, 100.0)

    return Draws("analytic", interval(score, se), interval(model.dims, np.sqrt(dim_var)), comp)
