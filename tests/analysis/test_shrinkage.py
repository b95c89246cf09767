"""Empirical-Bayes shrinkage: REML τ² against closed forms and a hand optimisation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize

from analysis.shrinkage import reml_tau2, shrink


def reml_loglik(tau2, y, psi):
    """The restricted log-likelihood of STATISTICS.md §2.4, written out directly."""
    w = 1 / (tau2 + psi)
    mu = (w * y).sum() / w.sum()
    return -0.5 * (np.log(tau2 + psi).sum() + np.log(w.sum()) + (w * (y - mu) ** 2).sum())


def hand_reml(y, psi):
    res = optimize.minimize_scalar(
        lambda t: -reml_loglik(t, y, psi), bounds=(0, 10 * np.var(y) + 10), method="bounded",
        options={"xatol": 1e-10},
    )  # fmt: skip
    t = res.x
    return 0.0 if reml_loglik(0.0, y, psi) >= reml_loglik(t, y, psi) else t


def test_balanced_case_has_the_closed_form():
    # Equal ψ: REML τ² = max(0, s²_y − ψ) with s²_y the sample variance (ddof = 1).
    y = np.array([62.0, 70, 75, 81, 66, 90, 72])
    tau2, mu = reml_tau2(y, np.full(len(y), 9.0))
    assert tau2[0] == pytest.approx(y.var(ddof=1) - 9.0, rel=1e-9)
    assert mu[0] == pytest.approx(y.mean())
    tau2, _ = reml_tau2(y, np.full(len(y), 500.0))
    assert tau2[0] == 0.0


def test_unequal_variances_match_a_hand_reml():
    rng = np.random.default_rng(4)
    n = rng.integers(3, 60, 12)
    psi = 150.0 / n
    y = 70 + rng.normal(0, 5, 12) + rng.normal(0, np.sqrt(psi))
    tau2, _ = reml_tau2(y, psi)
    assert tau2[0] == pytest.approx(hand_reml(y, psi), rel=1e-5, abs=1e-6)


def test_shrinkage_and_reliability_formulas():
    y = np.array([60.0, 70, 80, 90])
    psi = np.array([4.0, 16, 4, 64])
    out = shrink(y, psi)
    t = out.tau2
    lam = t / (t + psi)
    # The centre is the plain mean of the scores (not precision-weighted: METHODS.md §5),
    # whose variance is Σ(τ² + ψ)/J².
    mu = y.mean()
    np.testing.assert_allclose(out.mu, 75.0)
    np.testing.assert_allclose(out.reliability, lam)
    np.testing.assert_allclose(out.score, mu + lam * (y - mu))
    var_mu = (t + psi).sum() / 16
    np.testing.assert_allclose(out.posterior_se**2, lam * psi + (1 - lam) ** 2 * var_mu)
    # Noisier scores are pulled further toward the mean.
    assert out.reliability[3] < out.reliability[1] < out.reliability[0]


def test_the_centre_is_not_pulled_towards_the_precise_cells():
    # On a bounded scale the cells near the top scatter least, so their ψ is smallest; a
    # precision-weighted centre leans towards them and lifts every shrunk score (in the
    # calibration years by 0.4–1.1 points). The plain mean does not: here (REML τ² = 69.7)
    # the weighted mean would be 81.2, the plain one is 75.
    y = np.array([60.0, 70, 80, 90])
    psi = np.array([400.0, 100, 25, 1])
    out = shrink(y, psi)
    w = 1 / (out.tau2 + psi)
    assert out.tau2 == pytest.approx(69.674, abs=1e-3)
    assert (w * y).sum() / w.sum() == pytest.approx(81.221, abs=1e-3)
    np.testing.assert_allclose(out.mu, 75.0)


def test_too_few_agencies_are_not_shrunk():
    out = shrink(np.array([60.0, 80]), np.array([4.0, 4]))
    np.testing.assert_array_equal(out.score, [60, 80])
    assert np.isnan(out.reliability).all()


def test_missing_scores_stay_missing():
    out = shrink(np.array([60.0, np.nan, 70, 80, 90]), np.array([4.0, 4, 4, 4, 4]))
    assert np.isnan(out.score[1])
    assert not np.isnan(out.score[[0, 2, 3, 4]]).any()


@settings(max_examples=40, deadline=None)
@given(
    y=st.lists(st.floats(0, 100), min_size=3, max_size=15),
    psi=st.floats(0.01, 400),
)
def test_vectorised_replicates_equal_one_at_a_time(y, psi):
    y = np.array(y)
    batch = np.stack([y, y[::-1], np.clip(y + 5, 0, 100)])
    together = shrink(batch, np.full(batch.shape, psi))
    for row in range(3):
        alone = shrink(batch[row], np.full(len(y), psi))
        np.testing.assert_allclose(together.score[row], alone.score, rtol=1e-9, atol=1e-9)
    # Shrunk scores stay within the range of the raw scores (and so within 0–100).
    assert together.score.min() >= batch.min() - 1e-9
    assert together.score.max() <= batch.max() + 1e-9
