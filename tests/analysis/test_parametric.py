"""Empirical-Bayes intervals: the Prasad–Rao MSE by hand, and the Laird–Louis parametric
bootstrap's draws of the true scores (coverage in the Fay–Herriot model)."""

import numpy as np
import pytest

from analysis.parametric import _cell_draws
from analysis.shrinkage import prasad_rao_se


def test_prasad_rao_hand_computed():
    # Equal ψ = 25: REML τ² = s² − ψ = 500/3 − 25 = 141.67; w = 3/500, λ = 0.85;
    # g1 = 21.25, g2 = 0.15²·(500/3)/4 = 0.9375, g3 = ψ²w³·2/(4w²) = 625·2w/4 = 1.875;
    # MSE = g1 + g2 + 2·g3 = 25.9375.
    y = np.array([50.0, 60, 70, 80])
    se = prasad_rao_se(y, np.full(4, 25.0))
    np.testing.assert_allclose(se, np.sqrt(25.9375), rtol=1e-8)


def test_prasad_rao_without_enough_agencies_is_the_sampling_error():
    se = prasad_rao_se(np.array([50.0, 60.0, np.nan]), np.array([4.0, 9.0, 1.0]))
    np.testing.assert_allclose(se[:2], [2.0, 3.0])
    assert np.isnan(se[2])


def test_unshrunk_draws_are_normal_around_the_estimate():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 20000, 2))
    theta, _ = _cell_draws(np.array([40.0, 70.0]), np.array([4.0, 16.0]), False, a, b, rng)
    np.testing.assert_allclose(theta.mean(axis=0), [40, 70], atol=0.1)
    np.testing.assert_allclose(theta.std(axis=0), [2, 4], rtol=0.02)


def coverage(n_years, tau, psi, rng, replicates=1000):
    """Share of 95 % intervals holding the truth, overall and for the agencies far out."""
    hits, far_hits, far = 0, 0, 0
    for _ in range(n_years):
        truth = 70 + tau * rng.standard_normal(len(psi))
        y = truth + np.sqrt(psi) * rng.standard_normal(len(psi))
        a, b = rng.standard_normal((2, replicates, len(psi)))
        theta, _ = _cell_draws(y, psi, True, a, b, rng)
        low, high = np.percentile(theta, [2.5, 97.5], axis=0)
        inside = (low <= truth) & (truth <= high)
        out = np.abs(truth - 70) > 1.5 * tau
        hits += inside.sum()
        far_hits += inside[out].sum()
        far += out.sum()
    return hits / (n_years * len(psi)), far_hits / far


def test_parametric_intervals_cover_the_truth():
    # 30 agencies, n from 3 to 300 (ψ = 15²/n), τ = 6: the setting where the earlier
    # bootstrap interval of the shrunk score covered ~65 % at n = 3.
    rng = np.random.default_rng(5)
    n = np.resize([3, 8, 30, 300], 30)
    psi = 225.0 / n
    overall, far = coverage(150, 6.0, psi, rng)
    assert 0.93 <= overall <= 0.97
    assert far >= 0.85  # shrinkage still costs the outlying agencies some coverage


@pytest.mark.parametrize("tau", [0.0, 3.0])
def test_no_between_agency_spread_still_gives_honest_intervals(tau):
    rng = np.random.default_rng(6)
    overall, _ = coverage(60, max(tau, 1e-9), np.full(30, 25.0), rng)
    assert overall >= 0.93


def _spread_year():
    # 201 agencies, ψ = 25, y spread as N(70, 10² + 25) quantiles, so τ² ≈ 100 is well pinned
    # and λ ≈ 0.8.
    from scipy import stats

    y = 70 + np.sqrt(125.0) * stats.norm.ppf((np.arange(201) + 0.5) / 201)
    psi = np.full(201, 25.0)
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((2, 20000, 201))
    theta, _ = _cell_draws(y, psi, True, a, b, rng)
    return y, theta.std(axis=0)


def test_a_cell_far_out_carries_its_own_shrinkage_bias():
    # A central cell keeps the posterior SD √(λψ) ≈ 4.47; the last one, y − μ ≈ 3 SD out,
    # takes u² = (y° − μ)² − ψ instead of τ², whose mean over y° ~ N(y, ψ) is (y − μ)²:
    # √(λ²ψ + (1 − λ)²(y − μ)²) = √(16 + 0.04·33.5²) ≈ 7.8.
    y, sd = _spread_year()
    assert sd[100] == pytest.approx(np.sqrt(0.8 * 25), rel=0.04)
    assert sd[-1] == pytest.approx(np.sqrt(0.64 * 25 + 0.04 * (y[-1] - 70) ** 2), rel=0.04)


def test_the_far_out_estimate_is_redrawn_not_plugged_in():
    # A cell 1 τ out (y − μ ≈ 10): the plug-in (y − μ)² − ψ = 75 < τ² would give it the
    # posterior SD √(0.64·25 + 0.04·100) ≈ 4.47. Redrawn, y° ~ N(y, 5²) often lies further
    # out: E max(τ², (y° − μ)² − ψ) = 100 + E[((10 + 5z)² − 125)⁺] ≈ 139 (numerically), so
    # the SD is √(16 + 0.04·139) ≈ 4.65.
    from scipy import integrate, stats

    y, sd = _spread_year()
    j = int(np.argmin(np.abs(y - 80)))
    excess = integrate.quad(
        lambda z: max((y[j] - 70 + 5 * z) ** 2 - 125, 0.0) * stats.norm.pdf(z), -8, 8, limit=200
    )[0]
    assert excess > 30
    assert sd[j] == pytest.approx(np.sqrt(16 + 0.04 * (100 + excess)), rel=0.02)
    assert sd[j] > 1.025 * np.sqrt(0.8 * 25)
