"""Rater-adjusted two-way model: agreement with statsmodels OLS, recovery, design checks."""

import time

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from analysis.twoway import rater_adjusted


def simulate(n_targets, n_raters, per_rater, seed, leniency_sd=6.0, noise_sd=5.0):
    """Each rater scores a random subset of targets: quality + leniency + noise."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(70, 8, n_targets)
    leniency = rng.normal(0, leniency_sd, n_raters)
    rater = np.repeat(np.arange(n_raters), per_rater)
    target = np.concatenate(
        [rng.choice(n_targets, per_rater, replace=False) for _ in range(n_raters)]
    )
    score = quality[target] + leniency[rater] + rng.normal(0, noise_sd, len(rater))
    ratings = pd.DataFrame({"rater": rater, "target": target, "score": score})
    return ratings, quality, leniency


def _sum_coded_contrasts(params: pd.Index, levels, factor: str) -> np.ndarray:
    """Rows L with L·params = Intercept + effect of each level under C(factor, Sum)."""
    contrast = np.zeros((len(levels), len(params)))
    contrast[:, params.get_loc("Intercept")] = 1
    for i, level in enumerate(levels[:-1]):
        contrast[i, params.get_loc(f"C({factor}, Sum)[S.{level}]")] = 1
    for level in levels[:-1]:
        contrast[-1, params.get_loc(f"C({factor}, Sum)[S.{level}]")] = -1
    return contrast


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_statsmodels_ols_with_sum_coding(seed):
    ratings, _, _ = simulate(n_targets=12, n_raters=40, per_rater=5, seed=seed)
    ours = rater_adjusted(ratings)
    ols = smf.ols("score ~ C(target, Sum) + C(rater, Sum)", ratings).fit()

    targets = list(ours.target_effects.index)
    test = ols.t_test(_sum_coded_contrasts(ols.params.index, targets, "target"))
    np.testing.assert_allclose(ours.target_effects["adjusted"], test.effect, atol=1e-8)
    np.testing.assert_allclose(ours.target_effects["se"], np.ravel(test.sd), atol=1e-8)
    assert ours.grand_mean == pytest.approx(ols.params["Intercept"], abs=1e-8)
    assert ours.residual_sd**2 == pytest.approx(ols.scale, abs=1e-8)
    assert ours.df_resid == ols.df_resid

    raters = list(ours.rater_effects.index)
    lenient = ols.t_test(_sum_coded_contrasts(ols.params.index, raters, "rater")).effect
    np.testing.assert_allclose(
        ours.rater_effects["leniency"], lenient - ols.params["Intercept"], atol=1e-8
    )


def _rmse_vs_truth(scores: pd.Series, quality: np.ndarray) -> float:
    error = scores - scores.mean() - (quality - quality.mean())
    return float(np.sqrt((error**2).mean()))


def test_recovers_planted_leniency_better_than_naive_means():
    ratios = []
    for seed in range(10):
        ratings, quality, leniency = simulate(n_targets=30, n_raters=150, per_rater=6, seed=seed)
        result = rater_adjusted(ratings)
        effects = result.target_effects
        ratios.append(
            _rmse_vs_truth(effects["adjusted"], quality)
            / _rmse_vs_truth(effects["raw_mean"], quality)
        )
        assert np.corrcoef(result.rater_effects["leniency"], leniency)[0, 1] > 0.85
    # Naive means carry each target's draw of raters' leniency (sd 6/√30 ≈ 1.1 points).
    assert max(ratios) < 1
    assert np.mean(ratios) < 0.8


def test_variance_components_recover_simulated_values():
    ratings, quality, leniency = simulate(
        n_targets=40, n_raters=400, per_rater=8, seed=5, leniency_sd=6.0, noise_sd=5.0
    )
    components = rater_adjusted(ratings).variance_components
    assert components["residual"] == pytest.approx(25, rel=0.1)
    assert components["rater"] == pytest.approx(leniency.var(ddof=1), rel=0.2)
    assert components["target"] == pytest.approx(quality.var(ddof=1), rel=0.2)


def test_balanced_complete_design_gives_anova_variance_components():
    rng = np.random.default_rng(3)
    table = rng.normal(0, 3, (8, 1)) + rng.normal(0, 2, (1, 5)) + rng.normal(0, 1, (8, 5))
    n, k = table.shape
    ratings = pd.DataFrame(
        {"target": np.repeat(np.arange(n), k), "rater": np.tile(np.arange(k), n)}
    ).assign(score=table.ravel())
    grand = table.mean()
    ms_target = k * ((table.mean(axis=1) - grand) ** 2).sum() / (n - 1)
    ms_rater = n * ((table.mean(axis=0) - grand) ** 2).sum() / (k - 1)
    resid = table - table.mean(axis=1, keepdims=True) - table.mean(axis=0) + grand
    ms_error = (resid**2).sum() / ((n - 1) * (k - 1))

    result = rater_adjusted(ratings)
    components = result.variance_components
    assert components["residual"] == pytest.approx(ms_error)
    assert components["target"] == pytest.approx((ms_target - ms_error) / k)
    assert components["rater"] == pytest.approx((ms_rater - ms_error) / n)
    # Complete design: adjusted scores are the raw means and se is √(MSE/k).
    np.testing.assert_allclose(result.target_effects["adjusted"], table.mean(axis=1))
    np.testing.assert_allclose(result.target_effects["se"], np.sqrt(ms_error / k))
    # Reliability σ²_t/(σ²_t + MSE/k) = 1 − MSE/MS_target = ICC(3,k).
    np.testing.assert_allclose(result.target_effects["reliability"], 1 - ms_error / ms_target)


def test_disconnected_design_names_its_components():
    ratings = pd.DataFrame(
        {
            "rater": ["r1", "r1", "r2", "r2", "r3", "r3"],
            "target": ["A", "B", "B", "A", "C", "D"],
            "score": [80, 70, 75, 85, 60, 90],
        }
    )
    with pytest.raises(ValueError, match=r"2 components.*\{A, B\}.*\{C, D\}"):
        rater_adjusted(ratings)


def test_pairs_rated_on_several_items_are_averaged_and_missing_rows_dropped():
    ratings, _, _ = simulate(n_targets=6, n_raters=20, per_rater=3, seed=2)
    doubled = pd.concat(
        [ratings.assign(score=ratings["score"] - 1), ratings.assign(score=ratings["score"] + 1)]
    )
    noisy = pd.concat([doubled, pd.DataFrame({"rater": [0], "target": [1], "score": [np.nan]})])
    base, again = rater_adjusted(ratings), rater_adjusted(noisy)
    pd.testing.assert_frame_equal(base.target_effects, again.target_effects)
    assert again.n_ratings == len(ratings)


def test_malformed_input_raises():
    with pytest.raises(ValueError, match="lacks column"):
        rater_adjusted(pd.DataFrame({"rater": [1], "score": [3.0]}))
    with pytest.raises(ValueError, match="numeric"):
        rater_adjusted(pd.DataFrame({"rater": [1], "target": [2], "score": ["good"]}))
    with pytest.raises(ValueError, match="at least 2 targets"):
        rater_adjusted(pd.DataFrame({"rater": [1, 2], "target": [5, 5], "score": [3.0, 4.0]}))


def test_string_ids_and_mixed_design_keep_labels():
    ratings, _, _ = simulate(n_targets=5, n_raters=12, per_rater=3, seed=4)
    labelled = ratings.assign(
        rater=ratings["rater"].map(lambda r: f"unit-{r:02d}"),
        target=ratings["target"].map(lambda t: f"agency-{t}"),
    )
    result = rater_adjusted(labelled)
    assert list(result.target_effects.index) == [f"agency-{t}" for t in range(5)]
    assert result.rater_effects.index.name == "rater"
    assert result.rater_effects["leniency"].sum() == pytest.approx(0, abs=1e-9)
    assert result.target_effects["effect"].sum() == pytest.approx(0, abs=1e-9)


def test_year_sized_design_is_fast():
    # ~100 targets × 2,000 raters × 20,000 ratings (the grassroots round of a year).
    ratings, quality, _ = simulate(n_targets=100, n_raters=2000, per_rater=10, seed=11)
    start = time.perf_counter()
    result = rater_adjusted(ratings)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0  # measured ≈ 0.02 s; generous for a loaded CI machine
    assert np.corrcoef(result.target_effects["adjusted"], quality)[0, 1] > 0.99
