"""加减分 (``agencies['adjustment']``) and agencies left out of the ranking (``ranked``)."""

import numpy as np
import pandas as pd
import pytest

from analysis import evaluate
from tests.analysis.conftest import quick_config, small_year


@pytest.fixture(scope="module")
def base():
    responses, items, agencies, _ = small_year(10, 2000, seed=11)
    return responses, items, agencies


def test_adjustment_shifts_composite_and_interval(base):
    responses, items, agencies = base
    plain = evaluate(responses, items, quick_config(100), agencies=agencies, workers=1)
    shifted = agencies.assign(adjustment=[3.0] + [0.0] * (len(agencies) - 1))
    adjusted = evaluate(responses, items, quick_config(100), agencies=shifted, workers=1)
    first = agencies["agency_id"].iloc[0]
    before, after = plain.ranking.loc[first], adjusted.ranking.loc[first]
    assert after["composite"] == pytest.approx(before["composite"] + 3.0)
    assert after["composite_before_adjustment"] == pytest.approx(before["composite"])
    assert after["composite_ci_low"] == pytest.approx(before["composite_ci_low"] + 3.0)
    assert adjusted.explain(first)["adjustment"] == 3.0
    others = adjusted.ranking.drop(index=first)
    assert np.allclose(others["composite"], plain.ranking.drop(index=first)["composite"])


def test_adjustment_is_clipped_to_the_scale(base):
    responses, items, agencies = base
    result = evaluate(
        responses, items, quick_config(), agencies=agencies.assign(adjustment=100.0), workers=1
    )
    assert (result.ranking["composite"] == 100.0).all()


def test_unranked_agency_takes_no_rank_and_counts_in_no_rank(base):
    responses, items, agencies = base
    plain = evaluate(responses, items, quick_config(100), agencies=agencies, workers=1)
    best = plain.ranking["composite"].idxmax()
    flags = [agency_id != best for agency_id in agencies["agency_id"]]
    result = evaluate(
        responses, items, quick_config(100), agencies=agencies.assign(ranked=flags), workers=1
    )
    row = result.ranking.loc[best]
    assert np.isnan(row["rank"]) and np.isnan(row["tie_group"])
    assert row["band"] is None or row["band"] != row["band"]
    assert row["composite"] == pytest.approx(plain.ranking.loc[best, "composite"])
    ranked = result.ranking[result.ranking["ranked"]]
    assert sorted(ranked["rank"].astype(int)) == list(range(1, len(agencies)))
    assert result.explain(best)["ranked"] is False


def test_bad_adjustment_and_ranked_values_are_refused(base):
    responses, items, agencies = base
    with pytest.raises(ValueError, match="adjustment"):
        evaluate(responses, items, quick_config(), agencies=agencies.assign(adjustment=150.0))
    with pytest.raises(ValueError, match="ranked"):
        evaluate(responses, items, quick_config(), agencies=agencies.assign(ranked="yes"))


def test_identical_rows_refused_unless_the_caller_vouches_for_them(base):
    responses, items, agencies = base
    twice = responses.iloc[[0, 0]].copy()
    twice["response_id"] = [10**9, 10**9 + 1]
    doubled = pd.concat([responses, twice], ignore_index=True)
    with pytest.raises(ValueError, match="more than once"):
        evaluate(doubled, items, quick_config(), agencies=agencies, workers=1)
    allowed = quick_config(quality={"duplicates": "allow"})
    before = evaluate(responses, items, allowed, agencies=agencies, workers=1).cells
    after = evaluate(doubled, items, allowed, agencies=agencies, workers=1).cells
    row = responses.iloc[0]
    key = (after["agency_id"] == row["agency_id"]) & (after["group"] == row["group"])
    old = (before["agency_id"] == row["agency_id"]) & (before["group"] == row["group"])
    # Both copies count as responses of their own (each dimension the row answered).
    assert after.loc[key, "n_with_flagged"].max() == before.loc[old, "n_with_flagged"].max() + 2
