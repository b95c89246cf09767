"""Trimmed means, Yuen standard errors, Wilson intervals — textbook values and histograms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis.aggregate import (
    build_blocks,
    cell_summary,
    location_stats,
    sorted_dimension,
    trimmed_mean,
    wilson_interval,
)
from analysis.config import GroupConfig

JUDGES = [60, 88, 90, 91, 93]


def test_olympic_trim_drops_one_highest_and_one_lowest():
    assert trimmed_mean(JUDGES, count=1) == pytest.approx(89.6667, abs=1e-4)


def test_scipy_trim_mean_trims_nothing_at_small_n():
    # The trap in STATISTICS.md §2.2: ⌊0.1·5⌋ = 0, so scipy returns the plain mean.
    assert stats.trim_mean(JUDGES, 0.1) == pytest.approx(84.4)
    assert trimmed_mean(JUDGES, trim=0.1) == pytest.approx(84.4)
    assert trimmed_mean(JUDGES, trim=0.2) == pytest.approx(89.6667, abs=1e-4)


def test_trim_floor_is_guarded_against_rounding():
    # 0.29·100 = 28.999999999999996 in floating point; 29 per side must be cut.
    x = np.arange(100.0)
    assert trimmed_mean(x, trim=0.29) == pytest.approx(np.mean(x[29:71]))


def test_wilson_interval_textbook_value():
    low, high = wilson_interval(45, 50)
    assert (float(low), float(high)) == pytest.approx((0.786, 0.957), abs=5e-4)
    ref = proportion_confint(45, 50, method="wilson")
    assert (float(low), float(high)) == pytest.approx(ref, abs=1e-12)


def _block(values, agency=None, excluded=None):
    values = np.asarray(values, dtype=float)
    agency = np.zeros(len(values), dtype=np.int64) if agency is None else np.asarray(agency)
    excluded = np.zeros(len(values), dtype=bool) if excluded is None else excluded
    (block,) = build_blocks(values[:, None], agency, np.arange(len(values)), excluded, 0, [(0,)])
    return block


def _stats(block, group, threshold=60.0, all_rows=False):
    order, v_sorted, valid = sorted_dimension(block, 0)
    counts = block.counts_all if all_rows else block.counts
    c = np.take_along_axis(counts, order, axis=1) * valid
    st_ = location_stats(v_sorted, c, group, threshold)
    return st_, cell_summary(st_, group, 0.95)


def test_histogram_olympic_trim_matches_textbook():
    st_, _ = _stats(_block(JUDGES), GroupConfig("trimmed", trim_count=1, trim_min_n=0))
    assert st_["trimmed"][0] == pytest.approx(89.6667, abs=1e-4)
    assert st_["mean"][0] == pytest.approx(84.4)
    assert st_["g"][0] == 1


def test_yuen_standard_error_matches_scipy():
    x = np.array([55, 60, 62, 70, 71, 75, 78, 80, 85, 90, 95, 99.0])
    group = GroupConfig("trimmed", trim=0.2, trim_min_n=0)
    st_, summary = _stats(_block(x), group)
    assert st_["trimmed"][0] == pytest.approx(stats.trim_mean(x, 0.2))
    ref = stats.mstats.trimmed_stde(x, limits=(0.2, 0.2))
    assert summary["se_trimmed"][0] == pytest.approx(float(ref))
    wins = stats.mstats.winsorize(x, limits=(0.2, 0.2))
    assert st_["wvar"][0] == pytest.approx(np.var(np.asarray(wins), ddof=1))


def test_mean_interval_is_the_t_interval():
    x = np.array([50, 75, 75, 100, 25, 75, 50.0])
    _, summary = _stats(_block(x), GroupConfig("mean"))
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
    low, high = summary["mean_ci"]
    assert (low[0], high[0]) == pytest.approx((x.mean() - half, x.mean() + half))


def test_satisfaction_rate_counts_scores_at_the_threshold():
    st_, summary = _stats(_block([40, 60, 75, 100, 55]), GroupConfig("mean"))
    assert st_["satisfied"][0] == 3
    assert summary["satisfaction"][0] == pytest.approx(0.6)


def test_excluded_rows_leave_the_kept_counts_only():
    block = _block([10, 20, 90], excluded=np.array([False, False, True]))
    kept, _ = _stats(block, GroupConfig("mean"))
    every, _ = _stats(block, GroupConfig("mean"), all_rows=True)
    assert kept["mean"][0] == pytest.approx(15)
    assert every["mean"][0] == pytest.approx(40)


scores = st.lists(st.sampled_from([0, 25, 50, 62.5, 75, 87.5, 100.0]), min_size=1, max_size=60)


@settings(max_examples=80, deadline=None)
@given(x=scores, trim=st.sampled_from([0.0, 0.1, 0.2, 0.3]), count=st.sampled_from([None, 1, 2]))
def test_histogram_statistics_equal_sort_and_slice(x, trim, count):
    group = GroupConfig("trimmed", trim=trim, trim_count=count, trim_min_n=0)
    st_, _ = _stats(_block(x), group)
    x = np.sort(np.asarray(x))
    g = count if count is not None else int(np.floor(trim * len(x) + 1e-9))
    if len(x) - 2 * g < 1:
        g = 0
    assert st_["trimmed"][0] == pytest.approx(x[g : len(x) - g].mean())
    assert st_["mean"][0] == pytest.approx(x.mean())
    if len(x) > 1:
        assert st_["var"][0] == pytest.approx(x.var(ddof=1), abs=1e-9)
        wins = np.clip(x, x[g], x[len(x) - g - 1])
        assert st_["wvar"][0] == pytest.approx(wins.var(ddof=1), abs=1e-9)


def test_several_cells_in_one_block():
    values = np.array([10, 20, 30, 70, 80, 90, 100.0])
    agency = np.array([0, 0, 0, 1, 1, 1, 1])
    st_, _ = _stats(_block(values, agency), GroupConfig("mean"))
    np.testing.assert_allclose(st_["mean"], [20, 85])
    np.testing.assert_array_equal(st_["n"], [3, 4])
