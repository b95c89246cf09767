"""Group weights → dimension scores → composite, missing groups, weight sensitivity."""

import numpy as np
import pytest

from analysis.combine import (
    combine_groups,
    composite,
    group_weight_array,
    perturb,
    scoped_ranks,
    weight_sensitivity,
)
from analysis.config import EvaluationConfig

GROUPS = ("public", "deputy", "grassroots", "peer")


def test_weighted_sum_of_group_scores():
    scores = np.array([[[80.0, 90, 70, 60], [np.nan, np.nan, 70, 80]]])  # (A=1, D=2, G=4)
    weights = group_weight_array(EvaluationConfig(), [None], GROUPS)
    dims, share = combine_groups(scores, weights, np.full((2, 4), 50.0), "renormalize")
    assert dims[0, 0] == pytest.approx(0.3 * 80 + 0.3 * 90 + 0.3 * 70 + 0.1 * 60)
    assert dims[0, 1] == pytest.approx(0.4 * 70 + 0.6 * 80)
    np.testing.assert_allclose(share, [[1.0, 1.0]])


def test_missing_group_policies():
    scores = np.array([[[80.0, np.nan, 70, 60], [np.nan] * 4]])
    weights = group_weight_array(EvaluationConfig(), [None], GROUPS)
    mu = np.array([[75.0, 50, 65, 70], [np.nan] * 4])
    renorm, share = combine_groups(scores, weights, mu, "renormalize")
    assert renorm[0, 0] == pytest.approx((0.3 * 80 + 0.3 * 70 + 0.1 * 60) / 0.7)
    assert share[0, 0] == pytest.approx(0.7)
    assert np.isnan(renorm[0, 1])
    neutral, share = combine_groups(scores, weights, mu, "group_mean")
    assert neutral[0, 0] == pytest.approx(0.3 * 80 + 0.3 * 50 + 0.3 * 70 + 0.1 * 60)
    assert share[0, 0] == pytest.approx(1.0)


def test_profiles_choose_weights_per_agency():
    weights = group_weight_array(EvaluationConfig(), ["internal", None], GROUPS)
    assert weights[0, 0, 0] == pytest.approx(0.1)
    assert weights[1, 0, 0] == pytest.approx(0.3)


def test_composite_renormalises_over_missing_dimensions():
    dims = np.array([[90.0, 80, 70, 60], [np.nan, np.nan, 70, 60]])
    w = np.array([0.2, 0.2, 0.35, 0.25])
    comp, share = composite(dims, w)
    assert comp[0] == pytest.approx(0.2 * 90 + 0.2 * 80 + 0.35 * 70 + 0.25 * 60)
    assert comp[1] == pytest.approx((0.35 * 70 + 0.25 * 60) / 0.6)
    np.testing.assert_allclose(share, [1.0, 0.6])


def test_perturbed_weights_still_sum_to_one():
    w = np.array([0.2, 0.2, 0.35, 0.25])
    for i in range(4):
        for factor in (0.8, 1.2):
            out = perturb(w, i, factor)
            assert out.sum() == pytest.approx(1.0)
            assert out[i] == pytest.approx(w[i] * factor)
            others = np.delete(out, i) / np.delete(w, i)
            assert np.ptp(others) == pytest.approx(0.0, abs=1e-12)


def test_sensitivity_reports_rank_moves():
    config = EvaluationConfig()
    scores = np.full((3, 2, 4), np.nan)
    scores[:, 0, 0] = [90, 70, 80]  # public effectiveness
    scores[:, 1, 3] = [60, 95, 70]  # peer cooperation
    weights = group_weight_array(config, [None] * 3, GROUPS)
    fixed = np.full((3, 2), 80.0)
    dim_w = np.array([config.dimension_weights[d] for d in config.dimension_weights])
    table = weight_sensitivity(
        scores, weights, np.full((2, 4), np.nan), fixed, dim_w, config, GROUPS, np.zeros(3)
    )
    base = table[table["weight"] == "base"]
    assert len(base) == 3
    labels = set(table["weight"])
    assert "dimension:effectiveness" in labels
    assert "group:effectiveness.public" in labels
    assert "group:cooperation.public" not in labels  # zero weight: nothing to perturb
    assert set(table["direction"]) == {0, 1, -1}


def test_ranks_within_scopes():
    ranks = scoped_ranks(np.array([50.0, 60, 70, 80]), np.array(["a", "b", "a", "b"]))
    np.testing.assert_array_equal(ranks, [2, 2, 1, 1])
