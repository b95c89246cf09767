"""Empirical-Bayes shrinkage of group scores toward the group mean (STATISTICS.md §2.4).

Fay–Herriot model ``ȳ_j = θ_j + e_j``, ``e_j ~ N(0, ψ_j)``, ``θ_j ~ N(μ, τ²)`` over the agencies
of one group (and dimension). ``τ²`` is the REML estimate, found by Fisher scoring on

    ℓ(τ²) = −½[Σ log(τ²+ψ_j) + log Σ w_j + Σ w_j (ȳ_j − μ̂)²],  w_j = 1/(τ²+ψ_j),

with ``μ̂ = Σ w_j ȳ_j / Σ w_j``, truncated at 0: score ``½(Σ w_j² r_j² − tr P)``, information
``½ tr P²``, ``P = W − w wᵀ/Σw``. Then ``λ_j = τ²/(τ² + ψ_j)`` — reported as the reliability
of agency j's group score (Bliese 2000 group-mean reliability) — and
``θ̃_j = ȳ + λ_j(ȳ_j − ȳ)`` with posterior variance ``λ_j ψ_j + (1 − λ_j)² Var ȳ``, where the
centre ``ȳ`` is the *plain* mean of the agencies' scores (:func:`target`), not REML's
precision-weighted ``μ̂``: on a bounded scale ψ falls with the level (the cells near the top
scatter least), so the weighted mean leans towards the high cells and lifts every shrunk
score — by 0.4–1.1 points in the calibration years (METHODS.md §5). (The Prasad–Rao term for
the uncertainty of τ² is left out; the bootstrap re-estimates τ².)

Everything is vectorised over a leading axis so the bootstrap shrinks all replicates at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_AGENCIES = 3
_ITERATIONS = 100
_TOL = 1e-10


@dataclass(frozen=True)
class Shrunk:
    """``score`` θ̃, ``reliability`` λ, ``posterior_se``; ``tau2`` and ``mu`` per replicate."""

    score: np.ndarray
    reliability: np.ndarray
    posterior_se: np.ndarray
    tau2: np.ndarray
    mu: np.ndarray


def reml_tau2(y: np.ndarray, psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """REML ``τ²`` and ``μ̂`` along the last axis; NaN entries of ``y`` are left out."""
    y = np.atleast_2d(np.asarray(y, dtype=float))
    psi = np.broadcast_to(np.asarray(psi, dtype=float), y.shape)
    ok = ~np.isnan(y) & ~np.isnan(psi)
    yy, pp = np.where(ok, y, 0.0), np.where(ok, psi, 1.0)
    count = ok.sum(axis=-1)
    safe = np.maximum(count, 1)
    mean = yy.sum(axis=-1) / safe
    spread = (np.where(ok, yy - mean[..., None], 0.0) ** 2).sum(axis=-1) / np.maximum(count - 1, 1)
    tau2 = np.maximum(spread - (np.where(ok, pp, 0.0)).sum(axis=-1) / safe, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):  # rows without data: NaN below
        tau2 = _fisher_scoring(tau2, ok, yy, pp)
    w = np.where(ok, 1.0 / (tau2[..., None] + pp), 0.0)
    mu = (w * yy).sum(axis=-1) / np.where(count > 0, w.sum(axis=-1), 1.0)
    few = count < MIN_AGENCIES
    return np.where(few, np.nan, tau2), np.where(count > 0, mu, np.nan)


def _fisher_scoring(tau2, ok, yy, pp):
    empty = ~ok.any(axis=-1)
    for _ in range(_ITERATIONS):
        w = np.where(ok, 1.0 / (tau2[..., None] + pp), 0.0)
        sw = w.sum(axis=-1)
        mu = (w * yy).sum(axis=-1) / sw
        r = np.where(ok, yy - mu[..., None], 0.0)
        sw2, sw3 = (w**2).sum(axis=-1), (w**3).sum(axis=-1)
        trace_p = sw - sw2 / sw
        trace_p2 = sw2 - 2 * sw3 / sw + sw2**2 / sw**2
        score = (w**2 * r**2).sum(axis=-1) - trace_p
        step = np.divide(score, trace_p2, out=np.zeros_like(score), where=trace_p2 > 0)
        new = np.maximum(tau2 + step, 0.0)
        done = (np.abs(new - tau2) <= _TOL * (1.0 + tau2)) | empty
        tau2 = new
        if done.all():
            break
    return np.where(np.isnan(tau2), 0.0, tau2)


def target(y: np.ndarray, psi: np.ndarray, tau2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The centre μ̂ the cells are shrunk towards and its variance, along the last axis: the
    plain mean of the scored cells, ``Var = Σ(τ² + ψ_j)/J²``."""
    ok = ~np.isnan(y) & ~np.isnan(psi)
    count = ok.sum(axis=-1)
    safe = np.maximum(count, 1)
    mu = np.where(ok, y, 0.0).sum(axis=-1) / safe
    var = np.where(ok, tau2[..., None] + psi, 0.0).sum(axis=-1) / safe**2
    return np.where(count > 0, mu, np.nan), var


def shrink(y: np.ndarray, psi: np.ndarray) -> Shrunk:
    """Shrink ``y`` (…, J) with sampling variances ``psi``; too few agencies → no shrinkage.

    With fewer than 3 scored agencies ``τ²`` is not estimable: the score is left as it is and
    its reliability is NaN. Missing ``y`` stays missing.
    """
    y = np.asarray(y, dtype=float)
    squeeze = y.ndim == 1
    y2 = np.atleast_2d(y)
    psi2 = np.broadcast_to(np.asarray(psi, dtype=float), y2.shape)
    tau2, _ = reml_tau2(y2, psi2)
    mu, var_mu = target(y2, psi2, np.where(np.isnan(tau2), 0.0, tau2))
    t = tau2[..., None]
    denom = t + psi2
    lam = np.divide(t, denom, out=np.full(y2.shape, np.nan), where=denom > 0)
    lam = np.where(np.isnan(psi2) | np.isnan(y2), np.nan, lam)
    lam = np.where((denom == 0) & ~np.isnan(t), 1.0, lam)  # τ² = ψ = 0: nothing to shrink
    no_tau = np.isnan(t)
    score = np.where(no_tau, y2, mu[..., None] + lam * (y2 - mu[..., None]))
    post_var = np.where(no_tau, psi2, lam * psi2 + (1 - lam) ** 2 * var_mu[..., None])
    out = Shrunk(score, lam, np.sqrt(np.maximum(post_var, 0.0)), tau2, mu)
    if squeeze:
        return Shrunk(out.score[0], out.reliability[0], out.posterior_se[0], tau2[0], mu[0])
    return out


def prasad_rao_se(y: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """√MSE of the EB estimate (Prasad–Rao, REML form ``g1 + g2 + 2·g3``; Datta–Lahiri 2000):
    ``g1 = λψ``, ``g2 = (1−λ)²/Σw``, ``g3 = ψ²/(τ²+ψ)³ · 2/Σw²`` with ``w = 1/(τ²+ψ)``.
    Fewer than 3 agencies: ``√ψ``."""
    tau2, _ = reml_tau2(y, psi)
    tau2 = float(tau2[0])
    ok = ~np.isnan(y) & ~np.isnan(psi)
    out = np.full(len(y), np.nan)
    if ok.sum() < MIN_AGENCIES or np.isnan(tau2):
        out[ok] = np.sqrt(psi[ok])
        return out
    p = psi[ok]
    w = 1.0 / (tau2 + p)
    lam = tau2 * w
    g1 = lam * p
    g2 = (1 - lam) ** 2 * float(target(y[ok], p, np.asarray(tau2))[1])
    g3 = p**2 * w**3 * 2.0 / (w**2).sum()
    out[ok] = np.sqrt(g1 + g2 + 2 * g3)
    return out
