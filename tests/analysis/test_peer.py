"""Social Relations Model for round-robin peer review, and its manipulation diagnostics."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.peer import (
    corrected_scores,
    leniency_outliers,
    mutual_high_cliques,
    reciprocity_pairs,
    rival_raters,
    srm,
)
from analysis.twoway import rater_adjusted


def long_form(matrix: np.ndarray, ids=None) -> pd.DataFrame:
    """Round-robin matrix (rater rows, target columns) → one row per ordered pair."""
    n = len(matrix)
    ids = np.arange(n) if ids is None else np.asarray(ids)
    i, j = np.nonzero(~np.eye(n, dtype=bool))
    keep = np.isfinite(matrix[i, j])
    return pd.DataFrame(
        {"rater": ids[i[keep]], "target": ids[j[keep]], "score": matrix[i, j][keep]}
    )


def round_robin(n=30, seed=0, *, sd_a=4.0, sd_b=8.0, sd_g=3.0, r_ab=0.0, r_gg=0.0, mean=75.0):
    """Simulate X_ij = m + a_i + b_j + g_ij; returns the matrix and the true b."""
    rng = np.random.default_rng(seed)
    ab = rng.multivariate_normal(
        [0, 0], [[sd_a**2, r_ab * sd_a * sd_b], [r_ab * sd_a * sd_b, sd_b**2]], n
    )
    a, b = ab[:, 0], ab[:, 1]
    iu, ju = np.triu_indices(n, 1)
    cov = sd_g**2 * np.array([[1, r_gg], [r_gg, 1]])
    g_pairs = rng.multivariate_normal([0, 0], cov, len(iu))
    g = np.zeros((n, n))
    g[iu, ju], g[ju, iu] = g_pairs[:, 0], g_pairs[:, 1]
    x = mean + a[:, None] + b[None, :] + g
    np.fill_diagonal(x, np.nan)
    return x, b


# --- closed-form estimators on a hand-checkable round robin ------------------------------

HAND = np.array(
    [
        [np.nan, 6, 8, 4],
        [5, np.nan, 9, 3],
        [7, 7, np.nan, 5],
        [4, 6, 8, np.nan],
    ]
)


def test_hand_checkable_round_robin_matches_closed_form():
    # Row means 6, 17/3, 19/3, 6; column means 16/3, 19/3, 25/3, 4; M = 72/12 = 6.
    # n = 4: a_i = 9/8·M_i· + 3/8·M_·i − 3/2·M, b_j = 9/8·M_·j + 3/8·M_j· − 3/2·M.
    # a_1 = 6.75 + 2 − 9 = −0.25, a_2 = 51/8 + 19/8 − 9 = −0.25, a_3 = 57/8 + 25/8 − 9 = 1.25,
    # a_4 = 6.75 + 1.5 − 9 = −0.75; b_1 = 6 + 2.25 − 9 = −0.75, b_2 = 57/8 + 17/8 − 9 = 0.25,
    # b_3 = 75/8 + 19/8 − 9 = 2.75, b_4 = 4.5 + 2.25 − 9 = −2.25.
    result = srm(long_form(HAND, ids=["A", "B", "C", "D"]))
    assert result.grand_mean == pytest.approx(6.0)
    np.testing.assert_allclose(result.rater_effects["effect"], [-0.25, -0.25, 1.25, -0.75])
    np.testing.assert_allclose(result.target_effects["effect"], [-0.75, 0.25, 2.75, -2.25])
    np.testing.assert_allclose(result.target_effects["score"], [5.25, 6.25, 8.75, 3.75])
    g = result.relationship.set_index(["rater", "target"])["g"]
    assert g["A", "B"] == pytest.approx(6 + 0.25 - 0.25 - 6)  # X − a − b − M = 0
    assert g["A", "C"] == pytest.approx(8 + 0.25 - 2.75 - 6)  # −0.5


def _variance_by_loops(x: np.ndarray, a, b, m) -> dict:
    """STATISTICS.md §4.1 written out with explicit loops over ordered pairs."""
    n = len(x)
    g = {(i, j): x[i, j] - a[i] - b[j] - m for i in range(n) for j in range(n) if i != j}
    big_a = sum(v * v for v in a) / (n - 1)
    big_b = sum(v * v for v in b) / (n - 1)
    big_c = sum(u * v for u, v in zip(a, b, strict=True)) / (n - 1)
    big_d = sum(((g[i, j] + g[j, i]) / 2) ** 2 for (i, j) in g) / ((n - 1) * (n - 2) / 2 - 1)
    big_e = sum((g[i, j] - g[j, i]) ** 2 for (i, j) in g) / 2 / ((n - 1) * (n - 2))
    s2g, sgg = (big_d + big_e) / 2, (big_d - big_e) / 2
    err = s2g * (n - 1) / (n * (n - 2)) + sgg / (n * (n - 2))
    s2b = big_b - err
    return {
        "actor": big_a - err,
        "partner": s2b,
        "relationship": s2g,
        "dyadic_covariance": sgg,
        "actor_partner_covariance": big_c - sgg * (n - 1) / (n * (n - 2)) - s2g / (n * (n - 2)),
        "reliability_target": max(s2b, 0) / (max(s2b, 0) + err),
        "_err": err,
    }


@pytest.mark.parametrize("seed", [1, 2])
def test_variance_components_match_formulas_written_out(seed):
    x, _ = round_robin(n=7, seed=seed, r_gg=0.3)
    result = srm(long_form(x))
    expected = _variance_by_loops(
        x,
        result.rater_effects["effect"].to_numpy(),
        result.target_effects["effect"].to_numpy(),
        result.grand_mean,
    )
    err = expected.pop("_err")
    assert result.variance == pytest.approx(expected)
    np.testing.assert_allclose(result.target_effects["se"], np.sqrt(err))
    np.testing.assert_allclose(result.target_effects["reliability"], expected["reliability_target"])
    assert result.dyadic_reciprocity == pytest.approx(
        expected["dyadic_covariance"] / expected["relationship"]
    )


def test_effects_sum_to_zero_and_equal_least_squares():
    x, _ = round_robin(n=12, seed=3)
    ratings = long_form(x)
    result = srm(ratings)
    assert result.rater_effects["effect"].sum() == pytest.approx(0, abs=1e-9)
    assert result.target_effects["effect"].sum() == pytest.approx(0, abs=1e-9)
    # The SRM estimators are the least-squares fit of the additive model.
    ls = rater_adjusted(ratings)
    assert result.grand_mean == pytest.approx(ls.grand_mean)
    np.testing.assert_allclose(result.target_effects["effect"], ls.target_effects["effect"])
    np.testing.assert_allclose(result.rater_effects["effect"], ls.rater_effects["leniency"])


def test_exactly_additive_matrix_is_recovered_exactly():
    rng = np.random.default_rng(4)
    a, b = rng.normal(0, 3, 6), rng.normal(0, 5, 6)
    a, b = a - a.mean(), b - b.mean()
    x = 60 + a[:, None] + b[None, :]
    result = srm(long_form(x))
    assert result.grand_mean == pytest.approx(60)
    np.testing.assert_allclose(result.rater_effects["effect"], a, atol=1e-10)
    np.testing.assert_allclose(result.target_effects["effect"], b, atol=1e-10)
    np.testing.assert_allclose(result.relationship["g"], 0, atol=1e-10)
    assert result.variance["relationship"] == pytest.approx(0, abs=1e-12)
    assert result.target_effects["reliability"].iloc[0] == pytest.approx(1)
    assert result.rater_effects["consensus_corr"].isna().all()  # g ≡ 0: no correlation


def test_everyone_gives_top_marks_raises_no_flags():
    # A ceiling round (all 100, or all the same policy score) leaves only rounding residue.
    for value in (100.0, 83.3333333):
        result = srm(long_form(np.full((8, 8), value)))
        np.testing.assert_allclose(result.target_effects["score"], value)
        assert (result.target_effects["effect"] == 0).all()
        assert np.isnan(result.variance["reliability_target"])
        assert np.isnan(result.dyadic_reciprocity)
        assert reciprocity_pairs(result)["z"].isna().all()
        assert rival_raters(result).empty
        assert leniency_outliers(result).empty
        assert mutual_high_cliques(result).cliques == []


def test_variance_components_are_unbiased_in_simulation():
    truth = {"actor": 9.0, "partner": 16.0, "relationship": 4.0}
    estimates = []
    for seed in range(150):
        x, _ = round_robin(n=8, seed=seed, sd_a=3, sd_b=4, sd_g=2, r_ab=0.5, r_gg=0.4)
        estimates.append(srm(long_form(x)).variance)
    mean = pd.DataFrame(estimates).mean()
    for key, value in truth.items():
        assert mean[key] == pytest.approx(value, rel=0.15)
    assert mean["dyadic_covariance"] == pytest.approx(0.4 * 4, abs=0.3)
    assert mean["actor_partner_covariance"] == pytest.approx(0.5 * 3 * 4, abs=1.2)


def test_missing_cells_keep_components_and_standard_errors_unbiased():
    """10 % of the cells missing at random (imputed, g = 0): without the rescaling the
    relationship variance came out ~10 % low, the dyadic covariance ~18 % low and the se of
    b ~9 % small (bench/calibration.py)."""
    rng = np.random.default_rng(11)
    n, est, se2, err2 = 30, [], [], []
    for seed in range(120):
        x, b = round_robin(n=n, seed=seed, sd_a=3, sd_b=4, sd_g=3, r_ab=0.0, r_gg=0.3)
        frame = long_form(x)
        frame = frame[rng.random(len(frame)) >= 0.1]
        fit = srm(frame)
        est.append(fit.variance)
        b = b - b.mean()
        b_hat = fit.target_effects["effect"].reindex(range(n)).to_numpy()
        err2.append(np.mean((b_hat - b) ** 2))
        se2.append(np.mean(fit.target_effects["se"].to_numpy() ** 2))
    mean = pd.DataFrame(est).mean()
    assert mean["relationship"] == pytest.approx(9.0, rel=0.05)
    assert mean["dyadic_covariance"] == pytest.approx(0.3 * 9, rel=0.15)
    assert np.sqrt(np.mean(se2) / np.mean(err2)) == pytest.approx(1.0, abs=0.06)


# --- input handling ----------------------------------------------------------------------


def test_self_ratings_dropped_items_averaged():
    ratings = long_form(HAND, ids=["A", "B", "C", "D"])
    items = pd.concat([ratings.assign(score=ratings["score"] + d) for d in (-2, 0, 2)])
    selfish = pd.DataFrame({"rater": ["A", "C"], "target": ["A", "C"], "score": [100, 100]})
    result = srm(pd.concat([items, selfish], ignore_index=True))
    assert result.n_self_ratings_dropped == 2
    assert result.n_imputed == 0
    np.testing.assert_allclose(result.target_effects["effect"], [-0.75, 0.25, 2.75, -2.25])
    assert (result.target_effects["n_raters"] == 3).all()


def test_too_few_agencies_or_bad_columns_raise():
    with pytest.raises(ValueError, match="at least 4 agencies"):
        srm(long_form(HAND[:3, :3]))
    with pytest.raises(ValueError, match="lacks column"):
        srm(pd.DataFrame({"rater": [1], "ratee": [2], "score": [3]}))


def _impute_by_iteration(x: np.ndarray, tol=1e-12) -> np.ndarray:
    """The textbook route: fill missing cells with m + a_i + b_j and repeat until stable."""
    n = len(x)
    off = ~np.eye(n, dtype=bool)
    missing = off & np.isnan(x)
    filled = np.where(missing, np.nanmean(x[off]), x)
    for _ in range(10_000):
        result = srm(long_form(filled))
        fit = (
            result.grand_mean
            + result.rater_effects["effect"].to_numpy()[:, None]
            + result.target_effects["effect"].to_numpy()[None, :]
        )
        change = np.abs(fit[missing] - filled[missing]).max()
        filled[missing] = fit[missing]
        if change < tol:
            return filled
    raise AssertionError("imputation did not converge")


def test_missing_cells_imputed_by_the_additive_model():
    x, _ = round_robin(n=10, seed=5)
    rng = np.random.default_rng(5)
    holes = (rng.random(x.shape) < 0.1) & ~np.eye(10, dtype=bool)
    x[holes] = np.nan
    result = srm(long_form(x))
    assert result.n_imputed == holes.sum()
    assert result.relationship["imputed"].sum() == holes.sum()
    assert (result.target_effects["n_raters"].to_numpy() == 9 - holes.sum(axis=0)).all()
    # Same fixed point as iterating "impute, re-estimate", and the LS fit on observed cells.
    iterated = srm(long_form(_impute_by_iteration(x)))
    np.testing.assert_allclose(result.target_effects["effect"], iterated.target_effects["effect"])
    np.testing.assert_allclose(result.rater_effects["effect"], iterated.rater_effects["effect"])
    assert result.grand_mean == pytest.approx(iterated.grand_mean)
    ls = rater_adjusted(long_form(x))
    np.testing.assert_allclose(result.target_effects["score"], ls.target_effects["adjusted"])


def test_agency_that_rated_nobody_is_an_average_rater():
    x, _ = round_robin(n=10, seed=6)
    x[4, :] = np.nan  # agency 4 did not submit; it is still rated by the others
    result = srm(long_form(x))
    assert result.n_imputed == 9
    assert result.rater_effects.loc[4, "effect"] == pytest.approx(0, abs=1e-9)
    assert result.rater_effects.loc[4, "n_ratings"] == 0
    assert np.isnan(result.rater_effects.loc[4, "consensus_corr"])
    assert result.target_effects.loc[4, "n_raters"] == 9


def test_more_than_20_percent_missing_raises_pointing_to_twoway():
    x, _ = round_robin(n=8, seed=7)
    rng = np.random.default_rng(7)
    x[(rng.random(x.shape) < 0.35)] = np.nan
    with pytest.raises(ValueError, match="rater_adjusted"):
        srm(long_form(x))


# --- manipulation diagnostics (30-agency simulation of STATISTICS.md §4.1) ---------------


def test_colluding_pairs_rank_top_and_are_flagged():
    x, _ = round_robin(n=30, seed=8)
    for i, j in [(3, 7), (12, 20)]:
        x[i, j] += 12
        x[j, i] += 12
    pairs = reciprocity_pairs(srm(long_form(x)), top=5)
    top_two = {frozenset(p) for p in pairs[["a", "b"]].head(2).itertuples(index=False)}
    assert top_two == {frozenset({3, 7}), frozenset({12, 20})}
    assert pairs["flagged"].head(2).all()
    assert (pairs["z"].head(2) > 3).all()
    assert list(pairs.columns) == ["a", "b", "g_ab", "g_ba", "e_ab", "z", "flagged"]


def test_rival_down_rater_is_caught():
    x, _ = round_robin(n=30, seed=9)
    consensus = np.nanmean(x, axis=0)
    rival = 11
    top5 = [t for t in np.argsort(-consensus) if t != rival][:5]
    x[rival, top5] -= 15
    result = srm(long_form(x))
    caught = rival_raters(result)
    assert rival in caught.index
    assert caught.index[0] == rival
    assert result.rater_effects["consensus_corr"].idxmin() == rival
    assert result.rater_effects.loc[rival, "top_gap_t"] < -3


def test_honest_rounds_rarely_flag_anyone():
    raters = flagged_rival = flagged_lenient = 0
    for seed in range(20):
        result = srm(long_form(round_robin(n=30, seed=100 + seed, sd_g=4)[0]))
        raters += result.n_agencies
        flagged_rival += len(rival_raters(result))
        flagged_lenient += len(leniency_outliers(result))
    # Simulated false-alarm rates are ≈ 0.7 % (rival) and ≈ 0.3 % (leniency) per rater.
    assert flagged_rival / raters < 0.02
    assert flagged_lenient / raters < 0.02


def test_leniency_outlier_is_flagged_and_does_not_inflate_its_own_score():
    x, _ = round_robin(n=30, seed=11)
    lenient = 5
    base = srm(long_form(x)).target_effects.loc[lenient, "score"]
    x[lenient, :] += 20
    result = srm(long_form(x))
    outliers = leniency_outliers(result)
    assert outliers.index[0] == lenient
    assert outliers.loc[lenient, "robust_z"] > 3
    # Column mean shifts own score by −a_j/(n−1); the SRM partner score does not.
    assert result.target_effects.loc[lenient, "score"] == pytest.approx(base + 20 / 30, abs=1e-9)
    assert corrected_scores(long_form(x)).loc[lenient] == pytest.approx(
        result.target_effects.loc[lenient, "score"]
    )


def test_mutual_high_ring_is_a_clique_and_results_are_deterministic():
    x, _ = round_robin(n=30, seed=12)
    ring = [4, 9, 17]
    for i in ring:
        for j in ring:
            if i != j:
                x[i, j] += 12
    result = srm(long_form(x))
    found = mutual_high_cliques(result, z=2.0, min_size=3, seed=1)
    assert ring in found.cliques
    assert found == mutual_high_cliques(result, z=2.0, min_size=3, seed=1)
    assert found.n_permutations == 499


def test_widespread_reciprocity_beats_the_permutation_null():
    x, _ = round_robin(n=30, seed=13, r_gg=0.7)
    found = mutual_high_cliques(srm(long_form(x)), seed=0)
    assert found.n_mutual_high_edges > found.null_mean
    assert found.null_p < 0.01
    honest = mutual_high_cliques(srm(long_form(round_robin(n=30, seed=13)[0])), seed=0)
    assert honest.null_p > 0.05


# --- properties --------------------------------------------------------------------------

MATRICES = st.integers(4, 7).flatmap(
    lambda n: arrays(np.float64, (n, n), elements=st.integers(0, 100).map(float))
)


def _assert_same(left, right):
    assert left.grand_mean == pytest.approx(right.grand_mean, abs=1e-9)
    pd.testing.assert_frame_equal(left.target_effects, right.target_effects, atol=1e-9)
    pd.testing.assert_frame_equal(left.rater_effects, right.rater_effects, atol=1e-9)
    assert left.variance == pytest.approx(right.variance, abs=1e-9, nan_ok=True)


@settings(max_examples=25, deadline=None)
@given(matrix=MATRICES, seed=st.integers(0, 2**16))
def test_invariant_to_row_order(matrix, seed):
    ratings = long_form(matrix)
    shuffled = ratings.sample(frac=1, random_state=seed)
    _assert_same(srm(ratings), srm(shuffled))


@settings(max_examples=25, deadline=None)
@given(matrix=MATRICES, seed=st.integers(0, 2**16))
def test_invariant_to_relabelling_agencies(matrix, seed):
    n = len(matrix)
    labels = np.random.default_rng(seed).permutation([f"agency-{k:02d}" for k in range(n)])
    original = srm(long_form(matrix))
    renamed = srm(long_form(matrix, ids=labels))
    back = dict(zip(labels, range(n), strict=True))
    for frame in ("target_effects", "rater_effects"):
        relabelled = getattr(renamed, frame).rename(index=back).sort_index()
        relabelled.index = relabelled.index.astype(getattr(original, frame).index.dtype)
        relabelled.index.name = getattr(original, frame).index.name
        pd.testing.assert_frame_equal(relabelled, getattr(original, frame), atol=1e-9)
    assert renamed.variance == pytest.approx(original.variance, abs=1e-9, nan_ok=True)


@settings(max_examples=25, deadline=None)
@given(matrix=MATRICES, shift=st.floats(-50, 50))
def test_adding_a_constant_only_moves_the_grand_mean(matrix, shift):
    before, after = srm(long_form(matrix)), srm(long_form(matrix + shift))
    assert after.grand_mean == pytest.approx(before.grand_mean + shift, abs=1e-9)
    for column in ("effect", "se", "reliability"):
        np.testing.assert_allclose(
            after.target_effects[column], before.target_effects[column], atol=1e-9
        )
    np.testing.assert_allclose(
        after.target_effects["score"], before.target_effects["score"] + shift, atol=1e-9
    )
    np.testing.assert_allclose(
        after.rater_effects["effect"], before.rater_effects["effect"], atol=1e-9
    )
    assert after.variance == pytest.approx(before.variance, abs=1e-8, nan_ok=True)
