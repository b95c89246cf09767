"""The sampling variance ψ of a cell: its own variance moderated towards the group's pooled
one (METHODS.md §5), for histogram groups (mean, trimmed) and for the two-way / SRM models."""

import numpy as np
import pandas as pd
import pytest

from analysis.config import GroupConfig
from analysis.groups import _target_spread, pooled_psi


def _stats(n, var):
    n = np.asarray(n, dtype=float)
    return {"n": n, "var": np.asarray(var, dtype=float), "wvar": None, "g": 0, "gamma": 0.1}


def test_moderated_variance_hand_computed():
    # n = 3, 301; variances 100, 400: pooled (2·100 + 300·400)/302 = 120200/302.
    st = _stats([3, 301], [100.0, 400.0])
    pooled = 120200 / 302
    small = (2 * 100 + 20 * pooled) / (2 + 20) / 3
    large = (300 * 400 + 20 * pooled) / (300 + 20) / 301
    assert pooled_psi(st, False, 20.0) == pytest.approx([small, large], rel=1e-12)


def test_no_prior_df_is_the_pooled_variance():
    st = _stats([3, 301], [100.0, 400.0])
    assert pooled_psi(st, False, None) == pytest.approx(np.array([3, 301]) ** -1.0 * 120200 / 302)


def test_large_cells_keep_their_own_variance_and_small_ones_the_pooled():
    st = _stats([2, 2, 10_001], [1.0, 900.0, 25.0])
    psi = pooled_psi(st, False, 20.0)
    assert psi[2] * 10_001 == pytest.approx(25.0, rel=0.01)  # own variance
    pooled = (1 + 900 + 10_000 * 25) / 10_002
    assert psi[0] * 2 == pytest.approx((1 + 20 * pooled) / 21)  # mostly the pooled one


def test_trimmed_cells_use_the_winsorized_variance_and_yuen_factor():
    st = {"n": np.array([10.0, 10.0]), "var": None, "wvar": np.array([50.0, 150.0]),
          "g": np.array([1, 1]), "gamma": 0.1}  # fmt: skip
    own = (9 * 50 + 4 * 100) / 13  # pooled 100, prior_df 4
    assert pooled_psi(st, True, 4.0)[0] == pytest.approx(own / (0.8**2 * 10))


def test_replicate_axes_pool_per_replicate():
    st = _stats([[5, 5], [5, 5]], [[10.0, 30.0], [40.0, 40.0]])
    psi = pooled_psi(st, False, 4.0)
    assert psi[0] == pytest.approx([(4 * 10 + 4 * 20) / 8 / 5, (4 * 30 + 4 * 20) / 8 / 5])
    assert psi[1] == pytest.approx([8.0, 8.0])


def test_target_spread_hand_computed():
    # Residuals: target a: 1, −1 (RSS 2), target b: 3, −3, 0 (RSS 18); 5 residuals, 1 param.
    target = pd.Series(["a", "a", "b", "b", "b"])
    resid = np.array([1.0, -1.0, 3.0, -3.0, 0.0])
    sigma2 = 20 / 4
    df = {"a": 2 * 4 / 5, "b": 3 * 4 / 5}
    gc = GroupConfig("twoway", variance_prior_df=2.0)
    got = _target_spread(target, resid, 1, gc)
    assert got["a"] == pytest.approx((2 + 2 * sigma2) / ((df["a"] + 2) * sigma2))
    assert got["b"] == pytest.approx((18 + 2 * sigma2) / ((df["b"] + 2) * sigma2))
    assert got["a"] < 1 < got["b"]
    plain = GroupConfig("twoway", variance_prior_df=None)
    assert (_target_spread(target, resid, 1, plain) == 1).all()


def test_prior_df_is_validated():
    with pytest.raises(ValueError, match="variance_prior_df"):
        GroupConfig(variance_prior_df=-1)


def test_evaluate_gives_a_scattered_large_cell_its_own_variance():
    # Four agencies × 300 public answers on one 1–5 item: three near the ceiling (SD ≈ 10
    # points), one spread over the scale (SD ≈ 45). The spread agency's analytic ψ is its
    # own moderated variance / n, not the pooled one, and the others' shrink towards theirs.
    from dataclasses import asdict

    from analysis import EvaluationConfig, evaluate
    from tests.analysis.conftest import quick_config

    rng = np.random.default_rng(0)
    rows = []
    for agency in range(1, 5):
        answers = rng.choice([1, 5], 300) if agency == 1 else rng.choice([4, 5], 300, p=[0.2, 0.8])
        rows += [(agency, float(a)) for a in answers]
    responses = pd.DataFrame(rows, columns=["agency_id", "e1"]).assign(
        response_id=lambda f: np.arange(len(f)), group="public", rater_id=None,
        duration_s=lambda f: 100 + np.arange(len(f)) / 1000, flags="",
        submitted_at=pd.Timestamp("2026-03-01"),
    )  # fmt: skip
    items = pd.DataFrame({"item_id": ["e1"], "dimension": ["effectiveness"], "scale": "likert5"})
    cells = {}
    for prior_df in (20.0, None):
        groups = {g: asdict(gc) for g, gc in EvaluationConfig().groups.items()}
        groups["public"].update(variance_prior_df=prior_df, burst_check=False)
        ev = evaluate(responses, items, quick_config(groups=groups), workers=1)
        cells[prior_df] = ev.cells.set_index("agency_id")
    n, own = cells[None]["n"], cells[None]["sd"] ** 2
    assert (n == 300).all()
    pooled = own.mean()
    moderated = (299 * own + 20 * pooled) / 319 / 300
    # Unshrunk enough at n = 300 that the posterior SE is ≈ √ψ (λ ≈ 1).
    np.testing.assert_allclose(cells[20.0]["posterior_se"] ** 2, moderated, rtol=0.02)
    np.testing.assert_allclose(cells[None]["posterior_se"] ** 2, pooled / 300, rtol=0.02)
    assert cells[20.0].loc[1, "posterior_se"] > 1.5 * cells[None].loc[1, "posterior_se"]
