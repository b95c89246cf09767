"""Quality-report internals: streamed Cronbach's α and the burst detector's two paths."""

import numpy as np
import pandas as pd
import pytest

from analysis.config import EvaluationConfig
from analysis.prepare import prepare
from analysis.quality import bursts, compute_flags
from analysis.reliability import cronbach_alpha
from analysis.report import _STREAM_ALPHA, _alpha
from analysis.synthetic import synthetic_year


@pytest.fixture(scope="module")
def large():
    responses, items, agencies, _ = synthetic_year(10, 3 * _STREAM_ALPHA, seed=11)
    config = EvaluationConfig()
    prep = prepare(responses, items, config, agencies)
    return prep, compute_flags(prep, config)


def test_streamed_alpha_equals_the_reliability_module(large):
    prep, flags = large
    rows = prep.group_rows[0][~flags.excluded[prep.group_rows[0]]]
    cols = np.flatnonzero((prep.item_dim == 0) & prep.asked[0])
    streamed = _alpha(prep, rows, cols)
    complete = rows[prep.answered[np.ix_(rows, cols)].all(axis=1)]
    direct = cronbach_alpha(prep.filled[np.ix_(complete, cols)])
    assert streamed.n == direct.n > _STREAM_ALPHA
    assert streamed.k == direct.k == 5
    for field in ("value", "ci_low", "ci_high"):
        assert getattr(streamed, field) == pytest.approx(getattr(direct, field), rel=1e-10)


def test_dense_and_sparse_burst_paths_agree():
    rng = np.random.default_rng(0)
    hours = np.concatenate([rng.integers(0, 3000, 400), np.full(30, 1234), [250_000]])
    agency = np.zeros(len(hours), dtype=np.int64)
    group = np.zeros(len(hours), dtype=np.int64)
    config = EvaluationConfig()
    sparse = bursts(agency, group, hours, ("public",), 1, config)  # 250k-hour span: sparse
    dense = bursts(agency[:-1], group[:-1], hours[:-1], ("public",), 1, config)
    np.testing.assert_array_equal(sparse[:-1], dense)
    assert dense[hours[:-1] == 1234].all()
    assert dense.sum() == (hours[:-1] == 1234).sum()


def test_burst_baseline_is_the_median_busy_hour():
    # Two agencies: a busy one (median 20 an hour) and a quiet one (median 1). Twenty
    # responses in one hour are ordinary for the first and a burst for the second.
    hours = np.concatenate([np.repeat(np.arange(50), 20), np.arange(100, 600, 5), np.full(20, 7)])
    agency = np.concatenate([np.zeros(1000), np.ones(100), np.ones(20)]).astype(np.int64)
    out = bursts(agency, np.zeros_like(agency), hours, ("public",), 2, EvaluationConfig())
    assert not out[:1000].any()
    assert out[1100:].all() and not out[1000:1100].any()


def test_flag_counts_by_reason_in_the_report():
    responses, items, agencies, _ = synthetic_year(6, 500, seed=2, n_deputies=4, n_grassroots=6)
    responses.loc[:9, "flags"] = "honeypot"
    config = EvaluationConfig()
    prep = prepare(responses, items, config, agencies)
    flags = compute_flags(prep, config)
    assert flags.column("honeypot").sum() == 10
    assert pd.Series(flags.excluded).sum() >= 10
