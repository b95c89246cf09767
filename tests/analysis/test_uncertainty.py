"""Bootstrap machinery: vectorised weighted SRM / two-way fits and replicate reproducibility."""

import numpy as np
import pandas as pd
import pytest

from analysis import evaluate
from analysis.peer import srm
from analysis.twoway import rater_adjusted
from analysis.uncertainty import weighted_srm_scores, weighted_twoway_scores

from .conftest import quick_config, small_year


def round_robin(n=8, seed=0):
    rng = np.random.default_rng(seed)
    x = 70 + rng.normal(0, 4, (n, 1)) + rng.normal(0, 6, (1, n)) + rng.normal(0, 3, (n, n))
    np.fill_diagonal(x, 0.0)
    return x


def long(x):
    i, j = np.nonzero(~np.eye(len(x), dtype=bool))
    return pd.DataFrame({"rater": i, "target": j, "score": x[i, j]})


def lstsq_scores(x, w):
    """Reference: weighted least squares of X_ij = μ_i + b_j by a generic solver."""
    n = len(x)
    i, j = np.nonzero(~np.eye(n, dtype=bool))
    design = np.zeros((len(i), 2 * n))
    design[np.arange(len(i)), i] = 1
    design[np.arange(len(i)), n + j] = 1
    root = np.sqrt(w[i])
    coef = np.linalg.lstsq(design * root[:, None], x[i, j] * root, rcond=None)[0]
    mu, b = coef[:n], coef[n:]
    return (w * mu).sum() / w.sum() + b


def test_weighted_srm_at_unit_weights_is_the_srm_score():
    x = round_robin()
    expected = srm(long(x)).target_effects["score"].to_numpy()
    got = weighted_srm_scores(x, np.ones((1, len(x))))
    np.testing.assert_allclose(got[0], expected, rtol=1e-12)


def test_weighted_srm_equals_weighted_least_squares():
    x = round_robin(seed=3)
    rng = np.random.default_rng(0)
    w = rng.multinomial(len(x), np.full(len(x), 1 / len(x)), size=5).astype(float)
    got = weighted_srm_scores(x, w)
    for row in range(5):
        ok = ~np.isnan(got[row])
        np.testing.assert_allclose(got[row][ok], lstsq_scores(x, w[row])[ok], rtol=1e-9)


def partial_design(seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(25):
        for t in rng.choice(10, 4, replace=False):
            rows.append((r, t, 60 + 2 * t + rng.normal(0, 3) + (r % 5)))
    return pd.DataFrame(rows, columns=["rater", "target", "score"])


def test_weighted_twoway_at_unit_weights_is_rater_adjusted():
    ratings = partial_design()
    fit = rater_adjusted(ratings)
    n = np.zeros((25, 10))
    y = np.zeros((25, 10))
    n[ratings["rater"], ratings["target"]] = 1
    y[ratings["rater"], ratings["target"]] = ratings["score"]
    got = weighted_twoway_scores(n, y, np.ones((1, 25)))
    np.testing.assert_allclose(got[0], fit.target_effects["adjusted"].to_numpy(), rtol=1e-10)


def test_weighted_twoway_equals_refitting_on_resampled_raters():
    ratings = partial_design(1)
    n = np.zeros((25, 10))
    y = np.zeros((25, 10))
    n[ratings["rater"], ratings["target"]] = 1
    y[ratings["rater"], ratings["target"]] = ratings["score"]
    rng = np.random.default_rng(5)
    w = rng.multinomial(25, np.full(25, 1 / 25), size=4).astype(float)
    got = weighted_twoway_scores(n, y, w)
    for row in range(4):
        copies = []
        for rater, times in enumerate(w[row].astype(int)):
            for copy in range(times):  # a drawn-twice rater counts as two raters
                part = ratings[ratings["rater"] == rater].assign(rater=f"{rater}.{copy}")
                copies.append(part)
        resampled = pd.concat(copies)
        try:
            fit = rater_adjusted(resampled)
        except ValueError:
            continue  # this draw disconnected the design
        ref = fit.target_effects["adjusted"].reindex(range(10)).to_numpy()
        ok = ~np.isnan(ref)
        np.testing.assert_allclose(got[row][ok], ref[ok], rtol=1e-9)


@pytest.mark.parametrize("method", ["resample", "parametric"])
def test_draws_are_reproducible_and_independent_of_threads(method):
    responses, items, agencies, _ = small_year(8, 800, seed=2)
    config = quick_config(60).replace(bootstrap={"method": method})
    one = evaluate(responses, items, config, agencies=agencies, workers=1)
    two = evaluate(responses, items, config, agencies=agencies, workers=2)
    pd.testing.assert_frame_equal(one.ranking, two.ranking)
    pd.testing.assert_frame_equal(one.cells, two.cells)
    assert one.uncertainty_method == {"resample": "bootstrap", "parametric": "parametric"}[method]
    assert one.replicates == 60


def test_bootstrap_interval_of_a_large_mean_matches_its_standard_error():
    responses, items, agencies, _ = small_year(6, 30000, seed=4)
    ev = evaluate(responses, items, quick_config(300), agencies=agencies, workers=1)
    public = ev.cells[(ev.cells["group"] == "public") & (ev.cells["dimension"] == "effectiveness")]
    width = (public["score_ci_high"] - public["score_ci_low"]).to_numpy()
    expected = 2 * 1.96 * public["se"].to_numpy() * public["reliability"].to_numpy()
    np.testing.assert_allclose(width, expected, rtol=0.2)


def test_analytic_intervals_without_replicates():
    responses, items, agencies, _ = small_year(8, 800, seed=2)
    ev = evaluate(responses, items, quick_config(0), agencies=agencies, workers=1)
    assert ev.uncertainty_method == "analytic"
    inside = (ev.ranking["composite_ci_low"] <= ev.ranking["composite"]) & (
        ev.ranking["composite"] <= ev.ranking["composite_ci_high"]
    )
    assert inside.all()


def test_the_seed_drives_the_draws():
    responses, items, agencies, _ = small_year(8, 800, seed=2)

    def run(seed):
        config = quick_config().replace(bootstrap={"replicates": 40, "seed": seed, "chunk": 20})
        return evaluate(responses, items, config, agencies=agencies, workers=1).ranking

    first, again, other = run(0), run(0), run(1)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["composite_ci_low"], other["composite_ci_low"])
