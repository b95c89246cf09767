"""Rank intervals (Mogstad–Romano–Shaikh–Wilhelm), tie groups and bands with 临界 marks."""

import numpy as np
import pandas as pd
import pytest

from analysis.config import ConfigError, EvaluationConfig
from analysis.ranking import (
    band_of,
    probability_bands,
    rank_and_band,
    rank_intervals,
    tie_groups,
)


def draws_for(point, sd, b=400, seed=0):
    rng = np.random.default_rng(seed)
    return np.asarray(point) + rng.normal(0, 1, (b, len(point))) * np.asarray(sd)


def test_well_separated_agencies_have_exact_ranks():
    point = np.array([90.0, 80, 70, 60])
    rank, low, high, _ = rank_intervals(point, draws_for(point, 0.5), 0.95, True)
    np.testing.assert_array_equal(rank, [1, 2, 3, 4])
    np.testing.assert_array_equal(low, rank)
    np.testing.assert_array_equal(high, rank)


def test_indistinguishable_agencies_span_every_rank():
    point = np.array([75.0, 75.1, 74.9, 75.05])
    rank, low, high, better = rank_intervals(point, draws_for(point, 5.0), 0.95, True)
    np.testing.assert_array_equal(low, [1, 1, 1, 1])
    np.testing.assert_array_equal(high, [4, 4, 4, 4])
    assert not better.any()


def test_marginal_intervals_are_no_wider_than_simultaneous():
    point = np.array([90.0, 86, 84, 80, 71, 70])
    draws = draws_for(point, 2.0)
    _, lo_s, hi_s, _ = rank_intervals(point, draws, 0.95, True)
    _, lo_m, hi_m, _ = rank_intervals(point, draws, 0.95, False)
    assert (lo_m >= lo_s).all()
    assert (hi_m <= hi_s).all()


def test_simultaneous_rank_sets_cover_the_true_ranks():
    rng = np.random.default_rng(1)
    theta = np.array([80.0, 78, 75, 74, 70, 65, 64, 60])
    true_rank = np.arange(1, 9)
    sd = 1.5
    hits = 0
    for _ in range(100):
        estimate = theta + rng.normal(0, sd, 8)
        draws = estimate + rng.normal(0, sd, (300, 8))
        _, low, high, _ = rank_intervals(estimate, draws, 0.95, True)
        hits += bool(((low <= true_rank) & (true_rank <= high)).all())
    assert hits >= 90


def test_correlated_draws_use_the_difference_not_the_two_spreads():
    # Shared raters move every agency together: the gap is certain although each score isn't.
    rng = np.random.default_rng(2)
    common = rng.normal(0, 5, (500, 1))
    point = np.array([80.0, 78])
    draws = point + common + rng.normal(0, 0.2, (500, 2))
    _, low, high, _ = rank_intervals(point, draws, 0.95, True)
    np.testing.assert_array_equal(low, [1, 2])
    np.testing.assert_array_equal(high, [1, 2])


def test_tie_groups_anchor_on_the_leader():
    point = np.array([90.0, 89.8, 70, 69.9, 50])
    better = np.zeros((5, 5), dtype=bool)
    for j, k in [(0, 2), (0, 3), (0, 4), (1, 2), (1, 3), (1, 4), (2, 4), (3, 4)]:
        better[j, k] = True
    np.testing.assert_array_equal(tie_groups(point, better), [1, 1, 2, 2, 3])


def test_bands_by_threshold():
    config = EvaluationConfig()
    np.testing.assert_array_equal(
        band_of(np.array([95, 90, 85, 80, 75, 70, 65, np.nan]), config), [0, 0, 1, 1, 2, 2, 3, -1]
    )


def rank_table(point, sd, config=None, scope=None, seed=0):
    config = config or EvaluationConfig()
    point = np.asarray(point, dtype=float)
    scope = np.array(["all"] * len(point), dtype=object) if scope is None else scope
    return rank_and_band(point, draws_for(point, sd, seed=seed), scope, config)


INTERVAL = EvaluationConfig().replace(band_rule="interval")


def test_interval_straddling_a_boundary_is_borderline():
    table = rank_table([95, 90.5, 84, 60], [0.3, 1.5, 0.3, 0.3], INTERVAL)
    assert table["band"].tolist() == ["excellent", "excellent", "good", "poor"]
    assert table["borderline"].tolist() == [False, True, False, False]
    assert table["band_label"].tolist() == ["优秀", "优秀", "良好", "较差"]
    probs = table[["p_excellent", "p_good", "p_fair", "p_poor"]].sum(axis=1)
    np.testing.assert_allclose(probs, 1.0)


def test_probability_rule_marks_uncertain_bands():
    config = EvaluationConfig().replace(band_rule="probability", band_probability=0.9)
    table = rank_table([95, 90.5, 84], [0.3, 1.5, 0.3], config)
    assert table["borderline"].tolist() == [False, True, False]


def test_tied_agencies_share_the_upper_band_by_rule():
    point = [90.4, 89.6, 60]
    upper = rank_table(point, [1.0, 1.0, 0.3], INTERVAL.replace(tie_rule="upper"))
    own = rank_table(point, [1.0, 1.0, 0.3], INTERVAL.replace(tie_rule="point"))
    assert upper["tie_group"].tolist()[:2] == [1, 1]
    assert upper["band"].tolist() == ["excellent", "excellent", "poor"]
    assert own["band"].tolist() == ["excellent", "good", "poor"]
    assert upper["borderline"].tolist()[:2] == [True, True]


def test_excellent_quota_caps_the_top_band():
    config = EvaluationConfig().replace(excellent_quota=0.25, tie_rule="point")
    table = rank_table([99, 98, 97, 96, 50, 40, 30, 20], [0.1] * 8, config)
    assert table["band"].tolist()[:4] == ["excellent", "excellent", "good", "good"]


def test_ranks_are_computed_within_each_scope():
    scope = np.array(["party", "government", "party", "government"], dtype=object)
    table = rank_table([90, 80, 70, 60], [0.2] * 4, scope=scope)
    assert table["rank"].tolist() == [1, 1, 2, 2]
    assert pd.Series(table["tie_group"]).nunique() == 4


def test_unscored_agencies_get_no_rank():
    table = rank_table([90, np.nan, 70], [0.5, 0.5, 0.5])
    assert np.isnan(table.loc[1, "rank"])
    assert pd.isna(table.loc[1, "band"])
    assert table["rank"].tolist()[::2] == [1, 2]


@pytest.mark.parametrize("simultaneous", [True, False])
def test_rank_interval_contains_the_rank(simultaneous):
    point = np.array([80.0, 79, 77, 70, 69, 60])
    rank, low, high, _ = rank_intervals(point, draws_for(point, 1.0), 0.95, simultaneous)
    assert ((low <= rank) & (rank <= high)).all()


@pytest.mark.parametrize(
    ("prob", "band", "upper", "lower", "mass"),
    [
        ([0.9, 0.1, 0.0, 0.0], 0, 0, 0, 0.9),  # one band holds ≥ 0.8
        ([0.0, 0.8, 0.2, 0.0], 1, 1, 1, 0.8),  # exactly the threshold counts
        ([0.5, 0.4, 0.1, 0.0], -1, 0, 1, 0.9),  # 临界 优秀/良好
        ([0.0, 0.45, 0.45, 0.1], -1, 1, 2, 0.9),  # the likelier adjacent pair
        ([0.3, 0.3, 0.3, 0.1], -1, 0, 2, 0.9),  # no pair reaches 0.8: three bands
        ([0.4, 0.0, 0.0, 0.6], -1, 0, 3, 1.0),  # bimodal: the whole range
    ],
)
def test_probability_bands_hand_checked(prob, band, upper, lower, mass):
    b, u, lo, p = probability_bands(np.array([prob]), 0.8)
    assert (b[0], u[0], lo[0]) == (band, upper, lower)
    assert p[0] == pytest.approx(mass)


def test_default_bands_need_their_probability():
    # 90.5 ± 1.5: P(优秀) = P(z ≥ −1/3) ≈ 0.63 < 0.8 → no band, 临界 优秀/良好.
    table = rank_table([95, 90.5, 84, 60], [0.3, 1.5, 0.3, 0.3])
    assert table["band"].tolist()[::2] == ["excellent", "good"]
    assert pd.isna(table.loc[1, "band"]) and table.loc[3, "band"] == "poor"
    assert table["borderline"].tolist() == [False, True, False, False]
    assert table.loc[1, "borderline_between"] == "excellent/good"
    assert table.loc[1, "point_band"] == "excellent"
    assert 0.55 < table.loc[1, "p_excellent"] < 0.72
    assert table.loc[1, "band_probability"] == pytest.approx(1.0)
    assert table.loc[0, "band_probability"] == pytest.approx(table.loc[0, "p_excellent"])
    assert table["borderline_between"].isna().tolist() == [True, False, True, True]


def test_no_band_is_given_below_its_probability():
    point = np.linspace(60, 99, 40)
    table = rank_table(point, np.full(40, 2.0), seed=3)
    banded = table["band"].notna()
    p = table[[f"p_{b}" for b in ("excellent", "good", "fair", "poor")]].to_numpy()
    names = np.array(["excellent", "good", "fair", "poor"])
    assigned = table.loc[banded, "band"].map({n: i for i, n in enumerate(names)}).to_numpy()
    assert (p[banded.to_numpy(), assigned] >= 0.8).all()
    assert (p[~banded.to_numpy()].max(axis=1) < 0.8).all()


def test_tied_agencies_keep_their_own_bands_by_default():
    # Tied across 90 with a 0.8 chance each of their own side: no lift of the lower one.
    table = rank_table([91.0, 89.0, 60], [1.0, 1.0, 0.3])
    assert table["tie_group"].tolist()[:2] == [1, 1]
    assert table["band"].tolist() == ["excellent", "good", "poor"]


def test_the_upward_tie_rule_needs_the_interval_rule():
    with pytest.raises(ConfigError, match="tie_rule"):
        EvaluationConfig().replace(tie_rule="upper")
