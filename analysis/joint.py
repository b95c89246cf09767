"""Joint empirical-Bayes shrinkage of an agency's cells (multivariate Fay–Herriot; METHODS.md §5).

The cells of one agency — its public, deputy, grassroots and peer scores on both rated
dimensions — measure closely related truths (in the calibration years their true scores
correlate 0.9 within a dimension). Shrinking each cell alone towards its group's mean pulls a
small deputy cell of an agency that every other group rates low up towards the city's mean;
the joint model shrinks it towards what the agency's other cells say (Fay 1987; Datta, Day &
Basawa 1999; Benavent & Morales 2016):

    θ_j ~ N_K(μ, Σ),  y_j | θ_j ~ N_K(θ_j, Ψ_j),   θ̃_j = μ + Λ_j (y_j − μ),  Λ_j = Σ(Σ + Ψ_j)⁻¹

over the cells the agency has. ``Σ = D R D``: ``D`` the per-cell-group ``τ`` (REML, as in
:mod:`analysis.shrinkage`), ``R`` the correlation of the true scores across cell groups (by
moments, :func:`cell_correlations`). ``Ψ_j = S_j E S_j``: the cells' sampling SDs and ``E``
their error correlation (the two dimensions of one group share respondents; different groups
are independent). With ``R = I`` this is the one-cell model exactly. A missing cell gets a
sampling variance a million times the largest one: it has no weight, and no score.

Arrays are vectorised over a leading replicate axis ``B`` (1 for the point estimate).
"""

from __future__ import annotations

import numpy as np

from analysis.shrinkage import MIN_AGENCIES

JOINT_MIN_AGENCIES = 20  # a cell group joins with this many scored agencies (R by moments)
_MISSING = 1e6  # sampling variance of a missing cell, relative to the largest ψ or τ²


def members(robust: np.ndarray, psi: np.ndarray, keys, joins) -> list[int]:
    """Positions in ``keys`` ((g, d) pairs) of the cell groups shrunk jointly: those whose
    group joins (``joins[g]``, the groups' ``joint`` setting) with at least
    ``JOINT_MIN_AGENCIES`` scored agencies — from fewer, the correlations of 6 cell groups are
    not estimable (with 6 agencies the moment R is singular and a cell's prediction from the
    others spuriously exact). Fewer than two such groups: none (the one-cell model)."""
    use = [
        k
        for k, (g, d) in enumerate(keys)
        if joins[g]
        and (~np.isnan(robust[:, d, g]) & ~np.isnan(psi[:, d, g])).sum() >= JOINT_MIN_AGENCIES
    ]
    return use if len(use) >= 2 else []


def psd_root(corr: np.ndarray) -> np.ndarray:
    """The symmetric square root of the nearest correlation matrix (eigenvalues clipped at
    0), of one ``(K, K)`` or a batch ``(B, K, K)``. Symmetric, ``V √Λ Vᵀ``, rather than
    ``V √Λ``: it does not change with the signs the eigensolver gives the eigenvectors, so
    inputs equal up to rounding (rows in another order) give the same draws."""
    vals, vecs = np.linalg.eigh((corr + np.swapaxes(corr, -1, -2)) / 2)
    root = (vecs * np.sqrt(np.clip(vals, 0.0, None))[..., None, :]) @ np.swapaxes(vecs, -1, -2)
    scale = np.sqrt(np.maximum((root**2).sum(axis=-1), 1e-12))
    return root / scale[..., :, None]


def cell_correlations(robust, psi, error_corr, keys) -> tuple[np.ndarray, np.ndarray]:
    """Across the cells ``keys`` ((g, d) pairs) of one agency: the correlation of their true
    scores (:func:`moment_correlations`; :func:`nearest_correlation` makes a valid matrix of
    it) and of their sampling errors (the two dimensions of one group share respondents:
    ``error_corr[g]``; different groups are independent). ``robust``, ``psi`` ``(A, D, G)``."""
    k = len(keys)
    if not k:
        return np.eye(0), np.eye(0)
    y = np.stack([robust[:, d, g] for g, d in keys], axis=1)
    v = np.stack([psi[:, d, g] for g, d in keys], axis=1)
    err = np.eye(k)
    for i, (g, _) in enumerate(keys):
        for j, (h, _) in enumerate(keys):
            if i != j and g == h:
                err[i, j] = error_corr[g]
    return moment_correlations(y[None], v[None], err)[0], err


def moment_correlations(y, psi, err) -> np.ndarray:
    """The true scores' correlation by moments, ``(B, K, K)`` for ``y``, ``psi`` ``(B, A, K)``
    (NaN = no cell): per pair of cell groups, over the agencies with both, the covariance of
    the robust scores minus the error covariance ``err_kl·mean √(ψ_k ψ_l)``, over the SDs so
    obtained; each entry clipped to ±1, 0 for a pair with fewer than 3 agencies."""
    k = y.shape[-1]
    obs = ~np.isnan(y) & ~np.isnan(psi)
    yy, pp = np.where(obs, y, 0.0), np.where(obs, psi, 0.0)
    cov = np.zeros((y.shape[0], k, k))
    for i in range(k):
        for j in range(i, k):
            both = obs[..., i] & obs[..., j]
            m = both.sum(axis=1)
            safe = np.maximum(m, 1)
            mi = (yy[..., i] * both).sum(axis=1, keepdims=True) / safe[:, None]
            mj = (yy[..., j] * both).sum(axis=1, keepdims=True) / safe[:, None]
            ci, cj = np.where(both, yy[..., i] - mi, 0.0), np.where(both, yy[..., j] - mj, 0.0)
            c = (ci * cj).sum(axis=1) / np.maximum(m - 1, 1)
            c -= err[i, j] * (np.sqrt(pp[..., i] * pp[..., j]) * both).sum(axis=1) / safe
            cov[:, i, j] = cov[:, j, i] = np.where(m >= MIN_AGENCIES, c, 0.0)
    sd = np.sqrt(np.clip(np.diagonal(cov, axis1=1, axis2=2), 0.0, None))
    good = sd > 1e-9
    denom = np.where(good[:, :, None] & good[:, None, :], sd[:, :, None] * sd[:, None, :], np.inf)
    corr = np.clip(cov / denom, -1.0, 1.0)
    corr[:, np.arange(k), np.arange(k)] = 1.0
    return corr


def correlation_draws(y, psi, err, size: int, rng) -> np.ndarray:
    """``size`` draws ``(B, K, K)`` of the true-score correlation, each the moment estimate
    (:func:`moment_correlations`) on the agencies resampled with replacement (a bootstrap of
    R, so that the draws carry its estimation error), made valid
    (:func:`nearest_correlation`). ``y``, ``psi`` ``(A, K)``, ``err`` ``(K, K)``."""
    pick = rng.integers(0, y.shape[0], (size, y.shape[0]))
    return nearest_correlation(moment_correlations(y[pick], psi[pick], err))


def nearest_correlation(corr: np.ndarray) -> np.ndarray:
    """The valid correlation matrix the draws use for ``corr`` (``psd_root(corr)²``; one
    matrix or a batch)."""
    root = psd_root(corr)
    return root @ np.swapaxes(root, -1, -2)


def covariances(tau2, psi, truth, err) -> tuple[np.ndarray, np.ndarray]:
    """``Σ`` ``(B, 1, K, K)`` for ``tau2`` ``(B, K)`` (``truth`` ``(K, K)`` or one per
    replicate ``(B, K, K)``) and ``Ψ`` ``(Bp, A, K, K)`` for ``psi`` ``(Bp, A, K)`` (NaN =
    missing cell: a huge variance, no error correlation)."""
    missing = np.isnan(psi)
    scale = max(float(np.nanmax(psi, initial=1.0)), float(np.nanmax(tau2, initial=1.0)))
    s = np.sqrt(np.where(missing, _MISSING * scale, psi))
    tau = np.sqrt(np.maximum(tau2, 0.0))
    sigma = tau[:, :, None] * truth * tau[:, None, :]  # truth (K, K) or one per replicate
    e = np.where(missing[..., :, None] | missing[..., None, :], np.eye(len(err)), err)
    return sigma[:, None], s[..., :, None] * e * s[..., None, :]


def mean_covariance(tau2, psi, truth, err) -> np.ndarray:
    """Covariance ``(B, K, K)`` of the cell groups' centres μ̂ (each the plain mean of its
    agencies' scores, :func:`analysis.shrinkage.target`): ``Cov(μ̂_k, μ̂_l) = Σ_j (Σ_kl +
    Ψ_j,kl) / (J_k J_l)`` over the agencies with both cells. The centres move together as
    the true scores do; drawn apart, ``(I − Λ)μ*`` would not cancel along their common
    direction."""
    obs = ~np.isnan(psi)
    count = np.maximum(obs.sum(axis=0), 1).astype(float)
    both = (obs[:, :, None] & obs[:, None, :]).sum(axis=0)
    s = np.sqrt(np.where(obs, psi, 0.0))
    sampling = np.einsum("ak,al->kl", s, s) * err
    tau = np.sqrt(np.maximum(tau2, 0.0))
    prior = tau[:, :, None] * truth * tau[:, None, :] * both
    return (prior + sampling) / np.outer(count, count)


def gains(sigma: np.ndarray, sampling: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``Λ = Σ(Σ + Ψ_j)⁻¹`` ``(B, A, K, K)`` from :func:`covariances`, and ``(Σ + Ψ_j)⁻¹``."""
    inverse = np.linalg.inv(sigma + sampling)
    return sigma @ inverse, inverse


def centres(y: np.ndarray, mu: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """``μ + Λ(y − μ)`` ``(B, A, K)`` for ``y`` ``(By, A, K)``, ``mu`` ``(B, K)``; missing
    cells (NaN ``y``) stay NaN."""
    missing = np.isnan(y)
    dev = np.where(missing, 0.0, y - mu[:, None, :])
    out = mu[:, None, :] + np.einsum("bakl,bal->bak", lam, dev)
    return np.where(missing, np.nan, out)


def joint_shrink(y, psi, tau2, mu, truth, err) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The point estimate for REML ``tau2`` and ``mu`` ``(K,)``, ``y`` and ``psi`` ``(A, K)``:
    scores, posterior SDs — ``(I − Λ)Σ`` plus the uncertainty of μ, as
    :func:`analysis.shrinkage.shrink` gives them for one cell — and the part of each score
    that comes from the agency's *other* cells, ``Σ_{l≠k} Λ_kl (y_l − μ_l)``, all ``(A, K)``
    (so that score = μ + own part ``Λ_kk(y_k − μ_k)`` + that)."""
    sigma, sampling = covariances(tau2[None], psi[None], truth, err)
    lam, _ = gains(sigma, sampling)
    score = centres(y[None], mu[None], lam)[0]
    dev = np.where(np.isnan(y), 0.0, y - mu)
    own = np.diagonal(lam[0], axis1=1, axis2=2) * dev
    others = np.where(np.isnan(y), np.nan, score - mu - own)
    rest = np.eye(len(mu)) - lam[0]  # (A, K, K)
    post = np.diagonal(rest @ sigma[0, 0], axis1=1, axis2=2)
    ok = ~np.isnan(psi) & ~np.isnan(y)
    cov_mu = mean_covariance(tau2[None], np.where(ok, psi, np.nan), truth, err)[0]
    from_mu = ((rest @ cov_mu) * rest).sum(axis=-1)
    return score, np.where(ok, np.sqrt(np.maximum(post + from_mu, 0.0)), np.nan), others


def far_out_scale(y, mu, inverse, psi) -> np.ndarray:
    """Per cell, the factor ``f ≥ 1`` on the prior part of a draw that carries the cell's own
    shrinkage bias (the one-cell rule of METHODS.md §7 in the conditional frame): against
    ``ŷ_k``, what the agency's other cells and the means predict for cell k, the residual
    ``r_k = y_k − ŷ_k = (Q(y − μ))_k / Q_kk`` (``Q = (Σ + Ψ_j)⁻¹``, ``Var r_k = 1/Q_kk``)
    has ``r_k² − ψ_k`` as the unbiased estimate of the squared distance of the truth from
    the prediction, whose prior variance is ``V_k = 1/Q_kk − ψ_k``; ``f² = max(1, (r_k² −
    ψ_k)/V_k)``. With one cell: ``ŷ = μ``, ``V = τ²``, the rule ``max(τ², (y − μ)² − ψ)``.
    ``y`` ``(A, K)``, ``mu`` ``(B, K)``, ``inverse`` ``(B, A, K, K)``; 1 for a missing cell."""
    dev = np.where(np.isnan(y), 0.0, y - mu[:, None, :])
    q = np.diagonal(inverse, axis1=-2, axis2=-1)
    resid = np.einsum("bakl,bal->bak", inverse, dev) / q
    v = 1.0 / q - np.where(np.isnan(psi), 0.0, psi)
    excess = resid**2 - np.where(np.isnan(psi), 0.0, psi)
    ratio = np.divide(excess, v, out=np.ones_like(v), where=v > 1e-9)
    return np.sqrt(np.maximum(ratio, 1.0))
