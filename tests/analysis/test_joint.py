"""Joint (multivariate Fay–Herriot) shrinkage of an agency's cells: hand-checked small cases,
the one-cell model as its special case, and the draws' coverage with a known truth."""

import numpy as np
import pytest

from analysis import evaluate
from analysis.config import ConfigError
from analysis.joint import (
    JOINT_MIN_AGENCIES,
    correlation_draws,
    covariances,
    far_out_scale,
    gains,
    joint_shrink,
    mean_covariance,
    psd_root,
)
from analysis.parametric import joint_draws
from analysis.shrinkage import target

from .conftest import quick_config, small_year

NOISY_AND_PRECISE = dict(
    tau2=np.array([100.0, 100.0]),
    mu=np.array([75.0, 75.0]),
    truth=np.array([[1.0, 0.9], [0.9, 1.0]]),
    err=np.eye(2),
)


def test_a_noisy_cell_follows_the_agencys_precise_one():
    # Σ = [[100, 90], [90, 100]], Ψ = diag(100, 1): Σ + Ψ = [[200, 90], [90, 101]], det 12100,
    # Λ = Σ(Σ + Ψ)⁻¹ has first row [100·101 − 90·90, −100·90 + 90·200]/12100 = [0.1653, 0.7438].
    # Both cells 20 below the mean: the noisy one goes to 75 − 20·0.9091 = 56.82, not to the
    # one-cell 75 − 20·0.5 = 65 (λ = 100/200).
    y = np.array([[55.0, 55.0]])
    psi = np.array([[100.0, 1.0]])
    score, post, others = joint_shrink(y, psi, **NOISY_AND_PRECISE)
    assert score[0, 0] == pytest.approx(75 - 20 * (2000 + 9000) / 12100, abs=1e-9)
    # Of the 18.18 points below the mean, 3.31 come from the cell's own data (0.1653·20) and
    # 14.88 from the agency's precise cell (0.7438·20).
    assert others[0, 0] == pytest.approx(-20 * 9000 / 12100, abs=1e-9)
    sigma, sampling = covariances(NOISY_AND_PRECISE["tau2"][None], psi[None], **{
        k: NOISY_AND_PRECISE[k] for k in ("truth", "err")})  # fmt: skip
    lam, inverse = gains(sigma, sampling)
    np.testing.assert_allclose(lam[0, 0, 0], [2000 / 12100, 9000 / 12100])
    np.testing.assert_allclose(inverse[0, 0], np.array([[101, -90], [-90, 200]]) / 12100)
    # Posterior variance (I − Λ)Σ: 100 − (0.1653·100 + 0.7438·90) = 16.53 for the noisy cell,
    # plus the centre's part (I − Λ)(Σ + Ψ)(I − Λ)ᵀ (one agency: Cov μ̂ = Σ + Ψ) = 83.47:
    # with one agency the centre is the agency itself, and the posterior its own ψ = 100.
    rest = np.eye(2) - lam[0, 0]
    cov_mu = np.array([[200.0, 90.0], [90.0, 101.0]])
    expected = 100 - (2000 * 100 + 9000 * 90) / 12100 + rest[0] @ cov_mu @ rest[0]
    assert expected == pytest.approx(100.0)
    assert post[0, 0] ** 2 == pytest.approx(expected, rel=1e-9)


def test_without_correlation_it_is_the_one_cell_model():
    rng = np.random.default_rng(3)
    y = rng.uniform(50, 95, (12, 3))
    psi = rng.uniform(2, 60, (12, 3))
    y[4, 1] = np.nan
    psi[4, 1] = np.nan
    tau2 = np.array([40.0, 90.0, 10.0])
    mu = np.array([target(y[:, k], psi[:, k], np.array(tau2[k]))[0] for k in range(3)])
    score, post, others = joint_shrink(y, psi, tau2, mu, np.eye(3), np.eye(3))
    np.testing.assert_allclose(np.nan_to_num(others), 0.0, atol=1e-9)
    lam = tau2 / (tau2 + psi)
    expected = mu + lam * (y - mu)
    np.testing.assert_allclose(score, expected, rtol=1e-9)
    var_mu = np.array([target(y[:, k], psi[:, k], np.array(tau2[k]))[1] for k in range(3)])
    np.testing.assert_allclose(post**2, lam * psi + (1 - lam) ** 2 * var_mu, rtol=1e-7)
    assert np.isnan(score[4, 1]) and np.isnan(post[4, 1])


def test_a_missing_cell_has_no_weight():
    # The agency has only its noisy cell: the precise group's prediction is not available,
    # so it is the one-cell estimate 75 − 20·0.5.
    score, _, _ = joint_shrink(
        np.array([[55.0, np.nan]]), np.array([[100.0, np.nan]]), **NOISY_AND_PRECISE
    )
    assert score[0, 0] == pytest.approx(65.0, abs=1e-4)
    assert np.isnan(score[0, 1])


def test_far_out_factor_of_one_cell_is_the_one_cell_rule():
    # f² = max(1, ((y − μ)² − ψ)/τ²): (30² − 25)/100 = 8.75; a cell 5 from the mean: 1.
    tau2, psi = np.array([[100.0]]), np.array([[25.0], [25.0]])
    sigma, sampling = covariances(tau2, psi[None], np.eye(1), np.eye(1))
    _, inverse = gains(sigma, sampling)
    f = far_out_scale(np.array([[45.0], [70.0]]), np.array([[75.0]]), inverse, psi)
    np.testing.assert_allclose(f[0, :, 0] ** 2, [8.75, 1.0])


def test_far_out_factor_measures_the_distance_from_the_prediction():
    # Noisy cell 20 below, precise cell at the mean: the prediction of the noisy cell from
    # the precise one is the mean (Q = (Σ+Ψ)⁻¹ above: r = (Q d)_1/Q_11 = d_1 = −20;
    # V = 1/Q_11 − ψ = 12100/101 − 100 = 19.80), so f² = (400 − 100)/19.80 = 15.15. The same
    # noisy value beside a precise cell just as low is what the prediction says: f = 1.
    psi = np.array([[100.0, 1.0], [100.0, 1.0]])
    sigma, sampling = covariances(NOISY_AND_PRECISE["tau2"][None], psi[None], **{
        k: NOISY_AND_PRECISE[k] for k in ("truth", "err")})  # fmt: skip
    _, inverse = gains(sigma, sampling)
    y = np.array([[55.0, 75.0], [55.0, 55.0]])
    f = far_out_scale(y, NOISY_AND_PRECISE["mu"][None], inverse, psi)
    assert f[0, 0, 0] ** 2 == pytest.approx(300 / (12100 / 101 - 100), rel=1e-9)
    assert f[0, 1, 0] == pytest.approx(1.0)


def test_centres_covariance_on_its_diagonal_is_the_one_cell_variance():
    rng = np.random.default_rng(1)
    y, psi = rng.uniform(50, 95, (15, 2)), rng.uniform(2, 60, (15, 2))
    psi[3, 0] = np.nan
    y[3, 0] = np.nan
    tau2 = np.array([[30.0, 70.0]])
    cov = mean_covariance(tau2, psi, np.array([[1.0, 0.6], [0.6, 1.0]]), np.eye(2))[0]
    for k in range(2):
        assert cov[k, k] == pytest.approx(target(y[:, k], psi[:, k], tau2[0, k])[1])
    # Off the diagonal: the 14 agencies with both cells, ρτ₁τ₂·14/(14·15).
    assert cov[0, 1] == pytest.approx(0.6 * np.sqrt(30 * 70) * 14 / (14 * 15))


def test_correlation_draws_are_valid_and_centred_on_the_estimate():
    rng = np.random.default_rng(2)
    base = rng.standard_normal(60)
    y = np.stack([70 + 8 * base + rng.normal(0, 3, 60), 75 + 6 * base + rng.normal(0, 3, 60)], 1)
    psi = np.full_like(y, 4.0)
    draws = correlation_draws(y, psi, np.eye(2), 400, rng)
    np.testing.assert_allclose(np.diagonal(draws, axis1=1, axis2=2), 1.0)
    assert (np.linalg.eigvalsh(draws) > -1e-9).all()
    # Moment estimate: (cov − 0) / √((var₁ − 4)(var₂ − 4)).
    c = np.cov(y.T)
    point = c[0, 1] / np.sqrt((c[0, 0] - 4) * (c[1, 1] - 4))
    assert draws[:, 0, 1].mean() == pytest.approx(point, abs=0.02)
    assert 0.01 < draws[:, 0, 1].std() < 0.1  # the bootstrap's spread of r at n = 60


def test_draws_cover_a_known_truth():
    # Multivariate Fay–Herriot truth (4 cells, ρ = 0.9, public n 3/8/30/300, 5 % of cells
    # missing), R estimated from the data as the engine does: nominal 95 % intervals cover
    # 0.953 of all cells and 0.949 of those more than 1.5 τ from the mean (150 years of 40
    # agencies, 1000 draws; /tmp benchmark). Here 30 years of 500 draws.
    rng = np.random.default_rng(11)
    k, j = 4, 40
    corr = np.full((k, k), 0.9)
    np.fill_diagonal(corr, 1)
    tau, mu = np.array([8.0, 9, 8, 7]), np.array([75.0, 78, 74, 72])
    hits = []
    for _ in range(30):
        n = rng.choice([3, 8, 30, 300], j)
        psi = np.stack([225.0 / n, np.full(j, 40.0), np.full(j, 10.0), np.full(j, 5.0)], 1)
        theta = mu + (rng.standard_normal((j, k)) @ psd_root(corr).T) * tau
        y = theta + rng.standard_normal((j, k)) * np.sqrt(psi)
        y[rng.random((j, k)) < 0.05] = np.nan
        draws, _ = joint_draws(y, psi, np.eye(k), rng.standard_normal((500, j, k)), rng)
        low, high = np.percentile(draws, [2.5, 97.5], axis=0)
        ok = ~np.isnan(y)
        hits.append(((low <= theta) & (theta <= high))[ok])
    assert 0.93 <= np.concatenate(hits).mean() <= 0.97


def test_small_years_keep_the_one_cell_model():
    # Fewer than JOINT_MIN_AGENCIES agencies: the cells' correlations are not estimable and
    # both settings give the same year.
    responses, items, agencies, _ = small_year(12, 1200, seed=5)
    assert 12 < JOINT_MIN_AGENCIES
    one = evaluate(responses, items, quick_config(50, shrinkage_model="separate"),
                   agencies=agencies, workers=1)  # fmt: skip
    both = evaluate(responses, items, quick_config(50), agencies=agencies, workers=1)
    assert both.config.shrinkage_model == "joint"
    np.testing.assert_array_equal(one.cells["score"], both.cells["score"])
    np.testing.assert_array_equal(one.ranking["composite"], both.ranking["composite"])


def test_joint_year_borrows_across_groups():
    responses, items, agencies, _ = small_year(30, 1800, seed=6)
    one = evaluate(responses, items, quick_config(0, shrinkage_model="separate"),
                   agencies=agencies, workers=1)  # fmt: skip
    both = evaluate(responses, items, quick_config(0), agencies=agencies, workers=1)
    # Same data and robust scores; the joint posterior is never less precise.
    np.testing.assert_array_equal(one.cells["robust"], both.cells["robust"])
    assert (both.cells["posterior_se"] <= one.cells["posterior_se"] + 1e-9).all()
    assert (both.cells["score"] != one.cells["score"]).any()
    assert both.cells["score"].between(0, 100).all()
    # Every score is its group's centre, its own data's part and the other cells' part.
    for ev in (one, both):
        parts = ev.cells["centre"] + ev.cells["from_own"] + ev.cells["from_others"]
        np.testing.assert_allclose(parts, ev.cells["score"], rtol=1e-12)
    assert (one.cells["from_others"] == 0).all()
    assert both.cells["from_others"].abs().max() > 0.5


def test_unknown_shrinkage_model_is_refused():
    with pytest.raises(ConfigError, match="shrinkage_model"):
        quick_config(0, shrinkage_model="multilevel")


def test_a_group_that_does_not_join_neither_borrows_nor_lends():
    # The web app's verified self-assessment and imported indicators are not samples of
    # raters (``joint = False``): a higher self-score must not lift an agency's public score.
    responses, items, agencies, _ = small_year(30, 1800, seed=6)
    groups = {name: {} for name in quick_config(0).groups}
    config = quick_config(0, groups={**groups, "deputy": {"joint": False}})
    alone = evaluate(responses, items, config, agencies=agencies, workers=1)
    separate = evaluate(responses, items, config.replace(shrinkage_model="separate"),
                        agencies=agencies, workers=1)  # fmt: skip
    deputy = alone.cells["group"] == "deputy"
    np.testing.assert_allclose(
        alone.cells.loc[deputy, "score"], separate.cells.loc[deputy, "score"], rtol=1e-12
    )
    # The deputies' marks of one agency go up by a whole point: no other group's score moves.
    raised = responses.copy()
    rows = (raised["group"] == "deputy") & (raised["agency_id"] == raised["agency_id"].iloc[0])
    for item in ("e1", "e2", "e3", "e4", "e5"):
        raised.loc[rows, item] = np.minimum(raised.loc[rows, item] + 1, 5)
    moved = evaluate(raised, items, config, agencies=agencies, workers=1)
    others = ~deputy
    np.testing.assert_allclose(
        moved.cells.loc[others, "score"], alone.cells.loc[others, "score"], rtol=1e-12
    )
    assert not np.allclose(moved.cells.loc[deputy, "score"], alone.cells.loc[deputy, "score"])
