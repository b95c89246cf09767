"""Empirical-Bayes intervals that carry the shrinkage bias and the uncertainty of τ², μ and
the cells' correlation: posterior draws of the true scores in the Fay–Herriot model with flat
priors on μ and τ² (Morris 1983's hierarchical treatment; METHODS.md §7). The Prasad–Rao MSE
for the analytic stand-in is ``analysis.shrinkage.prasad_rao_se``.

With ``shrinkage_model = "joint"`` (the default) the cell groups with enough agencies are
drawn together per agency (:func:`joint_draws`, the multivariate model of
``analysis.joint``); the others, and every group with ``"separate"``, one cell at a time
(:func:`_cell_draws`).

For one group × dimension with robust scores ``y_j`` and sampling variances ``ψ_j`` (mean and
trimmed groups: the cell's own variance moderated towards the pooled one on the bounded-score
trend, / n; SRM and two-way: the model's standard error², i.e. from the fitted variance
components — not from resampling rater rows — scaled the same way; ``analysis.groups``),
each replicate b

1. draws ``τ²*`` from its restricted likelihood (flat prior on τ², on a grid; it is never
   stuck at the truncation point 0 the way a plug-in or parametric-bootstrap REML is);
2. draws ``μ* ~ N(ȳ, Σ(τ²* + ψ_j)/J²)`` around the plain mean of the scores
   (``analysis.shrinkage.target``);
3. draws the agency's true score ``θ*_j ~ N(μ* + λ*_j(y_j − μ*), λ*_j² ψ_j + (1 − λ*_j)² u²_j)``,
   ``λ*_j = τ²*/(τ²* + ψ_j)``, ``u²_j = max(τ²*, (y°_j − μ*)² − 2ψ_j)`` — the posterior
   variance ``λ*ψ`` for a cell near the mean (``u² = τ²``), wider for a cell whose data lie
   far out, whose shrinkage bias ``(1 − λ)(θ − μ)`` the plain posterior misses (conditional
   MSE, Rivest & Belmonte 2000). ``(y − μ)² − ψ`` is the unbiased estimate of the cell's
   own ``(θ − μ)²``; each draw takes a parametric-bootstrap replicate of it,
   ``y°_j ~ N(y_j, ψ_j)``, so its noise is carried too.

The replicates are draws of the true scores given the data, so their percentiles are
intervals for the truth (the bootstrap of the estimator, centred on the shrunk value, misses
the shrinkage bias) and the share of replicates in a band is the probability of that band.
Groups without shrinkage (or with fewer than 3 agencies) draw ``θ* ~ N(y_j, ψ_j)``.
Agencies are drawn independently of each other: the SRM and two-way models have already
taken each rater's leniency out of the scores. (A Laird–Louis parametric bootstrap of REML
τ² was tried first: with τ̂² often 0 it covered 0.90 instead of 0.95 when τ²/ψ ≈ 0.4.)
"""

from __future__ import annotations

import numpy as np

from analysis import joint
from analysis.combine import all_dimensions, combine_groups, composite
from analysis.shrinkage import MIN_AGENCIES, target
from analysis.uncertainty import Draws, fixed_draws, percentiles

_GRID = 400


def restricted_loglik(tau2: np.ndarray, y: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """REML log-likelihood of the Fay–Herriot model at each ``tau2`` (grid ``(K,)``)."""
    w = 1.0 / (tau2[:, None] + psi[None, :])
    sw = w.sum(axis=1)
    mu = (w * y).sum(axis=1) / sw
    r = y[None, :] - mu[:, None]
    return -0.5 * (np.log(tau2[:, None] + psi).sum(axis=1) + np.log(sw) + (w * r**2).sum(axis=1))


def tau2_draws(y: np.ndarray, psi: np.ndarray, size: int, rng) -> np.ndarray:
    """Draws of τ² from its restricted likelihood with a flat prior on τ² (Morris 1983): on a
    grid of τ from 0 to well past the data's spread, weight ∝ L_R(τ²)·τ (dτ² = 2τ dτ), a
    cell drawn by weight and a uniform point within it."""
    spread = float(np.var(y, ddof=1)) if len(y) > 1 else 0.0
    top = np.sqrt(10.0 * spread + 10.0 * float(np.max(psi))) + 1e-6
    edges = np.linspace(0.0, top, _GRID + 1)
    mid = (edges[:-1] + edges[1:]) / 2
    log_w = restricted_loglik(mid**2, y, psi) + np.log(mid)
    weight = np.exp(log_w - log_w.max())
    cell = rng.choice(_GRID, size=size, p=weight / weight.sum())
    tau = edges[cell] + rng.random(size) * (edges[1] - edges[0])
    return tau**2


def _cell_draws(y, psi, shrinkage: bool, a, b, rng) -> tuple[np.ndarray, np.ndarray]:
    """θ* ``(B, A)`` and μ* ``(B,)`` of one group × dimension (see the module docstring);
    ``a``, ``b`` ``(B, A)`` standard normals for the sampling and the prior part."""
    size = a.shape[0]
    ok = ~np.isnan(y) & ~np.isnan(psi)
    theta = np.full((size, len(y)), np.nan)
    yy, pp = y[ok], psi[ok]
    if not shrinkage or ok.sum() < MIN_AGENCIES:
        theta[:, ok] = yy + np.sqrt(pp) * a[:, ok]
        return theta, np.full(size, np.nanmean(yy) if len(yy) else np.nan)
    t, mu = _hyper_draws(yy, pp, size, rng)
    t = t[:, None]
    lam = t / (t + pp)
    centre = mu[:, None] + lam * (yy - mu[:, None])
    # θ = θ̃ − λe + (1−λ)u: variance λ²ψ + (1−λ)²τ² = λψ, the posterior variance. The prior
    # part u = θ − μ has, for the cell itself, the unbiased estimate (y − μ)² − ψ of its
    # square: a cell whose data lie far out takes that instead of τ² (never less than τ²),
    # so its interval carries its own shrinkage bias (1−λ)(θ − μ) (the conditional MSE of
    # Rivest & Belmonte 2000). Central cells keep the posterior width.
    # That estimate is itself noisy (one observation): each draw takes a parametric-bootstrap
    # replicate of it, y° ~ N(y, ψ) in place of y, so that a cell whose data happen to lie
    # nearer the mean than its truth still gets, in some draws, the width of a far one.
    own = yy + np.sqrt(pp) * rng.standard_normal((size, len(yy)))
    u2 = np.maximum(t, (own - mu[:, None]) ** 2 - 2 * pp)
    theta[:, ok] = centre + lam * np.sqrt(pp) * a[:, ok] + (1 - lam) * np.sqrt(u2) * b[:, ok]
    return theta, mu


def parametric(model, replicates: int, seed: int) -> Draws:
    """``replicates`` posterior draws of every cell, dimension and composite."""
    cfg = model.config
    rng = np.random.default_rng(seed)
    a, n_d, n_g = model.shape
    cells = np.full((replicates, a, n_d, n_g), np.nan)
    mu = np.full((replicates, n_d, n_g), np.nan)
    keys = sorted(model.fits)
    truth, err = model.cell_corr
    shape = (replicates, a, len(keys))
    z_err = rng.standard_normal(shape) @ joint.psd_root(err).T
    z_prior = rng.standard_normal(shape) @ joint.psd_root(truth).T
    done = _joint_draws(model, keys, z_err, rng, cells, mu) if model.joint else set()
    for k, (g, d) in enumerate(keys):
        if k in done:
            continue
        theta, m = _cell_draws(
            model.robust[:, d, g], model.psi[:, d, g], cfg.shrinkage,
            z_err[..., k], z_prior[..., k], rng,
        )  # fmt: skip
        cells[:, :, d, g] = np.clip(theta, 0.0, 100.0)
        mu[:, d, g] = m
    dims, _ = combine_groups(cells, model.group_weights, mu, cfg.missing_group)
    fixed = fixed_draws(model, replicates, rng)
    comp, _ = composite(all_dimensions(fixed, dims), model.dimension_weights)
    level = cfg.confidence
    return Draws("parametric", percentiles(cells, level), percentiles(dims, level), comp)


_CHUNK = 250  # replicates per batch of the joint draws: (chunk, A, K, K) arrays stay small


def _joint_draws(model, keys, z_err, rng, cells, mu) -> set[int]:
    """Draws of the cell groups shrunk jointly (``analysis.joint.members``), into ``cells``
    and ``mu``; returns their positions in ``keys``."""
    use = list(model.joint)
    err = model.cell_corr[1][np.ix_(use, use)]
    y = np.stack([model.robust[:, d, g] for g, d in (keys[k] for k in use)], axis=1)
    psi = np.stack([model.psi[:, d, g] for g, d in (keys[k] for k in use)], axis=1)
    theta, m = joint_draws(y, psi, err, z_err[..., use], rng)
    for j, k in enumerate(use):
        g, d = keys[k]
        cells[:, :, d, g] = np.clip(theta[..., j], 0.0, 100.0)
        mu[:, d, g] = m[:, j]
    return set(use)


def joint_draws(y, psi, err, a, rng) -> tuple[np.ndarray, np.ndarray]:
    """θ* ``(B, A, K)`` and μ* ``(B, K)`` of K cell groups shrunk jointly: ``y``, ``psi``
    ``(A, K)`` (NaN = no cell), ``err`` their error correlation, ``a`` ``(B, A, K)`` standard
    normals correlated by ``err``. Per replicate: τ²* of every cell group from its restricted
    likelihood; R* the moment correlation of a bootstrap of the agencies
    (:func:`analysis.joint.correlation_draws`: a cell's prediction from the others is only
    as good as R is known); ``Σ* = D* R* D*``; the centres μ* drawn together
    (:func:`analysis.joint.mean_covariance`); then per agency
    ``θ* = μ* + Λ*(y − μ*) + Λ* S a + f ∘ (I − Λ*) D* b``, ``b ~ N(0, R*)`` — the posterior
    draw (sampling part ``a``, prior part ``b``, as in the one-cell model), the prior part of
    each cell widened by its far-out factor ``f`` (:func:`analysis.joint.far_out_scale`)."""
    psi = np.where(np.isnan(y), np.nan, psi)
    y = np.where(np.isnan(psi), np.nan, y)
    size = a.shape[0]
    tau2 = np.stack(
        [tau2_draws(y[ok, k], psi[ok, k], size, rng) for k, ok in enumerate((~np.isnan(y)).T)],
        axis=1,
    )  # (B, K)
    corr = joint.correlation_draws(y, psi, err, size, rng)
    cov = joint.mean_covariance(tau2, psi, corr, err)
    m = np.nanmean(y, axis=0) + np.einsum("bkl,bl->bk", _chol(cov), rng.standard_normal(tau2.shape))
    white = rng.standard_normal(a.shape)
    s = np.where(np.isnan(psi), 0.0, np.sqrt(psi))
    eye = np.eye(y.shape[1])
    theta = np.empty((size, *y.shape))
    for lo in range(0, size, _CHUNK):
        part = slice(lo, lo + _CHUNK)
        t, mm, r = tau2[part], m[part], corr[part]
        sigma, sampling = joint.covariances(t, psi[None], r, err)
        lam, inverse = joint.gains(sigma, sampling)
        centre = joint.centres(y[None], mm, lam)
        sample = np.einsum("bakl,bal->bak", lam, s * a[part])
        b = np.einsum("bkl,bal->bak", joint.psd_root(r), white[part])
        prior = np.einsum("bakl,bal->bak", eye - lam, np.sqrt(t)[:, None, :] * b)
        prior *= joint.far_out_scale(y, mm, inverse, psi)
        theta[part] = centre + sample + prior
    return theta, m


def _chol(cov: np.ndarray) -> np.ndarray:
    """Lower Cholesky factors of ``(B, K, K)`` covariances, a tiny ridge where one is singular."""
    ridge = 1e-9 * np.maximum(np.trace(cov, axis1=-2, axis2=-1), 1e-12)[:, None, None]
    return np.linalg.cholesky(cov + ridge * np.eye(cov.shape[-1]))


def _hyper_draws(yy, pp, size: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """τ²* from its restricted likelihood and μ* ~ N(ȳ, Σ(τ²* + ψ)/J²) ``(B,)`` each."""
    t = tau2_draws(yy, pp, size, rng)
    wide = (size, len(yy))
    centre, var = target(np.broadcast_to(yy, wide), np.broadcast_to(pp, wide), t)
    return t, centre + rng.standard_normal(size) * np.sqrt(var)
