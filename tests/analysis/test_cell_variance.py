"""The sampling variance ψ of a cell: its own variance moderated towards the group's pooled
one (METHODS.md §5), for histogram groups (mean, trimmed) and for the two-way / SRM models."""

import numpy as np
import pandas as pd
import pytest

from analysis.config import GroupConfig
from analysis.groups import _target_spread, level_ratio, pooled_psi, provisional_level


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


def test_level_ratio_hand_computed():
    # v(m) = m(100 − m): 50 → 2500, 90 → 900, 100 → guarded to 99 → 99; dof 2, 2, 4.
    got = level_ratio(np.array([50.0, 90.0, 100.0]), np.array([2.0, 2.0, 4.0]))
    mean = (2 * 2500 + 2 * 900 + 4 * 99) / 8
    assert got == pytest.approx([2500 / mean, 900 / mean, 99 / mean], rel=1e-12)
    # The weighted mean of the ratio is 1: the pooled variance is spread, not changed.
    assert (got * [2, 2, 4]).sum() / 8 == pytest.approx(1.0)


def test_moderation_towards_the_trend_hand_computed():
    # n = 3, 301 with variances 100, 400 (pooled 120200/302); trend ratios 1.5 and 0.5.
    st = _stats([3, 301], [100.0, 400.0])
    pooled = 120200 / 302
    small = (2 * 100 + 20 * pooled * 1.5) / 22 / 3
    large = (300 * 400 + 20 * pooled * 0.5) / 320 / 301
    got = pooled_psi(st, False, 20.0, np.array([1.5, 0.5]))
    assert got == pytest.approx([small, large], rel=1e-12)


def test_provisional_level_is_the_shrunk_score():
    # Three agencies: the one at 100 from 3 answers is placed below 100, nearer the others.
    y, psi = np.array([100.0, 70.0, 60.0]), np.array([60.0, 5.0, 5.0])
    level = provisional_level(y, psi)
    assert 70 < level[0] < 100 and level[1:] == pytest.approx([70, 60], abs=3)
    assert provisional_level(y[:2], psi[:2]) == pytest.approx(y[:2])  # < 3: no shrinkage


def test_target_spread_follows_the_trend_at_the_level():
    # The same residuals as above; levels 50 (a) and 90 (b): a's prior part is 2500/v̄ of
    # σ², b's 900/v̄, v̄ weighted by df.
    target = pd.Series(["a", "a", "b", "b", "b"])
    resid = np.array([1.0, -1.0, 3.0, -3.0, 0.0])
    sigma2 = 20 / 4
    df = {"a": 2 * 4 / 5, "b": 3 * 4 / 5}
    vbar = (df["a"] * 2500 + df["b"] * 900) / (df["a"] + df["b"])
    gc = GroupConfig("twoway", variance_prior_df=2.0)
    got = _target_spread(target, resid, 1, gc, pd.Series({"a": 50.0, "b": 90.0}))
    assert got["a"] == pytest.approx((2 + 2 * sigma2 * 2500 / vbar) / ((df["a"] + 2) * sigma2))
    assert got["b"] == pytest.approx((18 + 2 * sigma2 * 900 / vbar) / ((df["b"] + 2) * sigma2))


def test_evaluate_gives_small_mid_scale_cells_more_variance_than_top_ones():
    # Eight agencies × 3 public answers: four answer 2, 3, 4 (mid-scale), four 4, 5, 5 (near
    # the top); their own variances are 625 and 208 points². With the trend the mid-scale
    # cells' ψ is above the constant-prior one and the top cells' below it.
    from dataclasses import asdict

    from analysis import EvaluationConfig, evaluate
    from tests.analysis.conftest import quick_config

    rows = []
    for agency in range(1, 9):
        answers = (2, 3, 4) if agency <= 4 else (4, 5, 5)
        rows += [(agency, float(a)) for a in answers]
    responses = pd.DataFrame(rows, columns=["agency_id", "e1"]).assign(
        response_id=lambda f: np.arange(len(f)), group="public", rater_id=None,
        duration_s=lambda f: 100 + np.arange(len(f)), flags="",
        submitted_at=pd.Timestamp("2026-03-01"),
    )  # fmt: skip
    items = pd.DataFrame({"item_id": ["e1"], "dimension": ["effectiveness"], "scale": "likert5"})
    se = {}
    for trend in (True, False):
        groups = {g: asdict(gc) for g, gc in EvaluationConfig().groups.items()}
        groups["public"].update(variance_trend=trend, burst_check=False, speed_check=False)
        ev = evaluate(responses, items, quick_config(groups=groups), workers=1)
        se[trend] = ev.cells.set_index("agency_id")["posterior_se"]
    assert (se[True].loc[1:4] > 1.05 * se[False].loc[1:4]).all()
    assert (se[True].loc[5:8] < 0.95 * se[False].loc[5:8]).all()


def test_prior_df_is_validated():
    with pytest.raises(ValueError, match="variance_prior_df"):
        GroupConfig(variance_prior_df=-1)
    with pytest.raises(ValueError, match="variance_trend"):
        GroupConfig(variance_trend="yes")


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
        groups["public"].update(variance_prior_df=prior_df, variance_trend=False, burst_check=False)
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
