"""Reliability coefficients against published values and reference packages (test-only)."""

import math

import krippendorff
import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats

from analysis.reliability import (
    ICC_FORMS,
    cronbach_alpha,
    gwet_ac2,
    icc,
    icc_table,
    krippendorff_alpha,
)

# pingouin 0.7.0 calls DataFrame.dropna(inplace=True), deprecated in pandas 3.1.
PINGOUIN_PANDAS4 = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)
# Their Table 4, rounded to two decimals as published.
SHROUT_FLEISS_TABLE4 = {
    "1,1": 0.17,
    "2,1": 0.29,
    "3,1": 0.71,
    "1,k": 0.44,
    "2,k": 0.62,
    "3,k": 0.91,
}
PINGOUIN_TYPE = {
    "1,1": "ICC(1,1)",
    "2,1": "ICC(A,1)",
    "3,1": "ICC(C,1)",
    "1,k": "ICC(1,k)",
    "2,k": "ICC(A,k)",
    "3,k": "ICC(C,k)",
}

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C:
# 4 observers (rows) × 12 units, with missing values.
NAN = np.nan
KRIPP_C = np.array(
    [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
        [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
    ]
)
KRIPP_C_PUBLISHED = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def _long(table: np.ndarray) -> pd.DataFrame:
    n, k = table.shape
    return pd.DataFrame(
        {"t": np.repeat(np.arange(n), k), "r": np.tile(np.arange(k), n), "s": table.ravel()}
    )


def _pingouin_icc(table: np.ndarray, monkeypatch) -> pd.DataFrame:
    monkeypatch.setitem(pingouin.options, "round.column.CI95", None)  # full-precision CIs
    return pingouin.intraclass_corr(_long(table), "t", "r", "s").set_index("Type")


# --- ICC ---------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ICC_FORMS)
def test_icc_reproduces_shrout_fleiss_table_4(form):
    result = icc(SHROUT_FLEISS, form)
    assert round(result.value, 2) == SHROUT_FLEISS_TABLE4[form]
    assert (result.n_targets, result.k_raters, result.form) == (6, 4, form)


@PINGOUIN_PANDAS4
@pytest.mark.parametrize("seed", [None, 1, 2])
def test_icc_matches_pingouin_value_ci_and_f_test(seed, monkeypatch):
    if seed is None:
        table = SHROUT_FLEISS
    else:
        rng = np.random.default_rng(seed)
        table = rng.normal(0, 2, (15, 1)) + rng.normal(0, 1, (1, 5)) + rng.normal(0, 1, (15, 5))
    reference = _pingouin_icc(table, monkeypatch)
    for form in ICC_FORMS:
        ours = icc(pd.DataFrame(table), form)
        row = reference.loc[PINGOUIN_TYPE[form]]
        assert ours.value == pytest.approx(row["ICC"], abs=1e-6)
        assert ours.ci_low == pytest.approx(row["CI95"][0], abs=1e-6)
        assert ours.ci_high == pytest.approx(row["CI95"][1], abs=1e-6)
        assert ours.f == pytest.approx(row["F"], abs=1e-6)
        assert (ours.df1, ours.df2) == (row["df1"], row["df2"])
        assert ours.p_value == pytest.approx(row["pval"], abs=1e-9)


def test_icc_drops_incomplete_targets_and_reports_them():
    table = np.vstack([SHROUT_FLEISS, [5, NAN, 4, 4]])
    result = icc(table, "2,k")
    assert (result.n_targets, result.n_dropped) == (6, 1)
    assert result.value == pytest.approx(icc(SHROUT_FLEISS, "2,k").value)


def test_icc_rejects_unknown_form_naming_the_valid_ones():
    with pytest.raises(ValueError, match=r"1,1, 2,1, 3,1, 1,k, 2,k, 3,k"):
        icc(SHROUT_FLEISS, "ICC2")


def test_icc_thin_or_constant_data_give_nan_not_an_exception():
    thin = icc(SHROUT_FLEISS[:1], "1,1")
    assert math.isnan(thin.value)
    assert thin.reason
    constant = icc(np.ones((5, 3)), "3,k")
    assert math.isnan(constant.value)
    assert math.isnan(constant.ci_low)
    assert constant.reason


def test_icc_table_lists_all_six_forms():
    table = icc_table(SHROUT_FLEISS)
    assert list(table.index) == list(ICC_FORMS)
    assert table.loc["3,k", "value"] == pytest.approx(icc(SHROUT_FLEISS, "3,k").value)
    assert {"ci_low", "ci_high", "f", "df1", "df2", "p_value"} <= set(table.columns)


# --- Cronbach's alpha --------------------------------------------------------------------


def test_cronbach_alpha_hand_computed_example():
    # Items (2,4,3,5,1), (3,4,5,5,2), (3,5,4,5,2): variances 2.5, 1.7, 1.7 (sum 5.9);
    # totals (8,13,12,15,5) have variance 16.3, so α = 3/2·(1 − 5.9/16.3) = 156/163.
    items = pd.DataFrame({"q1": [2, 4, 3, 5, 1], "q2": [3, 4, 5, 5, 2], "q3": [3, 5, 4, 5, 2]})
    result = cronbach_alpha(items)
    assert result.value == pytest.approx(156 / 163, abs=1e-12)
    assert (result.n, result.k, result.reason) == (5, 3, None)


def test_cronbach_alpha_equals_published_icc_3k():
    # α is the consistency ICC of the mean (McGraw & Wong 1996): S&F Table 4 gives .91.
    assert round(cronbach_alpha(SHROUT_FLEISS).value, 2) == 0.91
    assert cronbach_alpha(SHROUT_FLEISS).value == pytest.approx(icc(SHROUT_FLEISS, "3,k").value)


@pytest.mark.parametrize("seed", [3, 4])
def test_cronbach_alpha_matches_pingouin_including_feldt_ci(seed):
    rng = np.random.default_rng(seed)
    items = pd.DataFrame(rng.normal(0, 1, (40, 1)) + rng.normal(0, 1.2, (40, 6)))
    ours = cronbach_alpha(items)
    value, ci = pingouin.cronbach_alpha(items)
    assert ours.value == pytest.approx(value, abs=1e-12)
    # pingouin rounds its interval to 3 decimals.
    assert ours.ci_low == pytest.approx(ci[0], abs=5e-4 + 1e-12)
    assert ours.ci_high == pytest.approx(ci[1], abs=5e-4 + 1e-12)
    df1, df2 = 39, 39 * 5
    assert ours.ci_low == pytest.approx(1 - (1 - value) * stats.f.ppf(0.975, df1, df2))
    assert ours.ci_high == pytest.approx(1 - (1 - value) * stats.f.ppf(0.025, df1, df2))


def test_cronbach_alpha_listwise_matches_pingouin_documented_value():
    # pingouin's docstring: psych::alpha(use="complete.obs") on this data set → 0.8016949.
    data = pingouin.read_dataset("cronbach_wide_missing")
    ours = cronbach_alpha(data)
    assert ours.value == pytest.approx(0.8016949152542373, abs=1e-12)
    # pingouin computes the CI with the row count *before* listwise deletion (12, not 9);
    # Feldt's df use the respondents actually analysed.
    assert ours.n == 9
    assert ours.ci_low == pytest.approx(1 - (1 - ours.value) * stats.f.ppf(0.975, 8, 80))


def test_cronbach_alpha_thin_data_is_nan_with_reason():
    one_item = cronbach_alpha(pd.DataFrame({"q": [1, 2, 3]}))
    assert math.isnan(one_item.value)
    assert "2 items" in one_item.reason
    one_row = cronbach_alpha(pd.DataFrame({"a": [1, NAN], "b": [2, 3]}))
    assert math.isnan(one_row.value)
    assert one_row.n == 1
    constant = cronbach_alpha(np.ones((4, 3)))
    assert math.isnan(constant.value)
    assert "variance" in constant.reason


def test_cronbach_alpha_rejects_non_numeric_input():
    with pytest.raises(ValueError, match="numbers"):
        cronbach_alpha(pd.DataFrame({"a": ["x", "y"], "b": [1, 2]}))


# --- Krippendorff's alpha ----------------------------------------------------------------


@pytest.mark.parametrize("level", list(KRIPP_C_PUBLISHED))
def test_krippendorff_reproduces_his_worked_example(level):
    units_by_raters = KRIPP_C.T  # our orientation: rows are units
    ours = krippendorff_alpha(units_by_raters, level)
    assert round(ours, 3) == KRIPP_C_PUBLISHED[level]
    reference = krippendorff.alpha(reliability_data=KRIPP_C, level_of_measurement=level)
    assert ours == pytest.approx(reference, abs=1e-9)


def test_krippendorff_binary_and_nominal_two_observer_examples():
    # Krippendorff (2011) example A (binary, α = 0.095) and B (nominal a–e, α = 0.692).
    binary = np.array([[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]).T
    assert round(krippendorff_alpha(binary, "nominal"), 3) == 0.095
    code = {c: i for i, c in enumerate("abcde")}
    ben = [code[c] for c in "aabbdcccedda"]
    gerry = [code[c] for c in "babbbccceddd"]
    assert round(krippendorff_alpha(np.array([ben, gerry]).T, "nominal"), 3) == 0.692


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_krippendorff_matches_package_on_random_data_with_missing(level, seed):
    rng = np.random.default_rng(seed)
    units = rng.integers(1, 8, size=(60, 5)).astype(float)
    units[rng.random(units.shape) < 0.3] = NAN
    reference = krippendorff.alpha(reliability_data=units.T, level_of_measurement=level)
    assert krippendorff_alpha(pd.DataFrame(units), level) == pytest.approx(reference, abs=1e-9)


def test_krippendorff_continuous_interval_data_match_package():
    rng = np.random.default_rng(5)
    units = rng.normal(50, 10, (30, 1)) + rng.normal(0, 5, (30, 4))
    units[rng.random(units.shape) < 0.2] = NAN
    reference = krippendorff.alpha(reliability_data=units.T, level_of_measurement="interval")
    assert krippendorff_alpha(units) == pytest.approx(reference, abs=1e-9)


def test_krippendorff_orientation_is_units_in_rows():
    # Transposing changes the question (raters become units); results differ.
    assert krippendorff_alpha(KRIPP_C.T, "interval") != pytest.approx(
        krippendorff_alpha(KRIPP_C, "interval")
    )


def test_krippendorff_undefined_cases_are_nan_and_bad_level_raises():
    assert math.isnan(krippendorff_alpha(np.full((4, 3), 2.0)))  # no disagreement possible
    assert math.isnan(krippendorff_alpha(np.array([[1.0, NAN], [NAN, 2.0]])))  # nothing pairable
    with pytest.raises(ValueError, match="nominal, ordinal, interval, ratio"):
        krippendorff_alpha(KRIPP_C.T, "cardinal")


# --- Gwet's AC1 / AC2 --------------------------------------------------------------------

SMALL = np.array([[1, 1], [2, 2], [1, 2]], dtype=float)


def test_gwet_ac1_hand_computed():
    # p_a = (1 + 1 + 0)/3 = 2/3; π = (.5, .5, 0); p_e = 3/(3·2)·(.25 + .25) = 1/4;
    # AC1 = (2/3 − 1/4)/(3/4) = 5/9.
    assert gwet_ac2(SMALL, weights="identity", categories=[1, 2, 3]) == pytest.approx(5 / 9)


def test_gwet_ac2_quadratic_hand_computed():
    # w(1,2) = w(2,3) = 1 − 1/4 = .75, w(1,3) = 0, T_w = 6. Unit 3: r = (1,1,0),
    # r* = (1.75, 1.75, .75) → Σ r(r*−1)/2 = .75; units 1–2 score 1. p_a = 2.75/3;
    # p_e = 6/6·.5 = .5 → AC2 = (2.75/3 − .5)/.5 = 5/6.
    assert gwet_ac2(SMALL, weights="quadratic", categories=[1, 2, 3]) == pytest.approx(5 / 6)


def test_gwet_single_ratings_enter_pi_but_not_p_a():
    # Unit 4 has one rating (3): π = (.375, .375, .25), Σπ(1−π) = .65625, p_e = .328125,
    # p_a stays 2/3 → AC1 = (2/3 − 21/64)/(43/64) = 65/129.
    table = np.vstack([SMALL, [3, NAN]])
    assert gwet_ac2(table, weights="identity", categories=[1, 2, 3]) == pytest.approx(65 / 129)


def test_gwet_linear_weights_between_identity_and_quadratic():
    linear = gwet_ac2(SMALL, weights="linear", categories=[1, 2, 3])
    # Linear: w(1,2) = .5, T_w = 3 + 4·.5 = 5; unit 3 → (1·.5 + 1·.5)/2 = .5; p_a = 2.5/3;
    # p_e = 5/6·.5 = 5/12 → AC2 = (5/6 − 5/12)/(7/12) = 5/7.
    assert linear == pytest.approx(5 / 7)


@pytest.mark.parametrize("seed", range(5))
def test_gwet_ac2_stays_high_where_krippendorff_collapses(seed):
    # STATISTICS.md §3.4: 20 agencies × 6 raters, P(5, 4, 3) = .85, .12, .03.
    rng = np.random.default_rng(seed)
    ratings = rng.choice([3, 4, 5], p=[0.03, 0.12, 0.85], size=(20, 6)).astype(float)
    assert gwet_ac2(ratings, "quadratic", categories=[1, 2, 3, 4, 5]) > 0.9
    assert abs(krippendorff_alpha(ratings, "interval")) < 0.3


def test_gwet_validates_weights_and_categories():
    with pytest.raises(ValueError, match="identity, linear, quadratic"):
        gwet_ac2(SMALL, weights="cubic")
    with pytest.raises(ValueError, match="not among categories"):
        gwet_ac2(SMALL, categories=[1, 3])
    assert math.isnan(gwet_ac2(np.full((3, 2), 4.0)))  # one category: chance term undefined
