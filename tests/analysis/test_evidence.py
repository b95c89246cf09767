"""Not rated: without the minimum survey evidence an agency gets no rank and no band, and
the measurement error of 全面度/时效度 is stated."""

import numpy as np
import pandas as pd
import pytest

from analysis import evaluate

from .conftest import quick_config, small_year

ONE_GROUP = {
    "groups": {"public": {"estimator": "mean", "min_n": 5}},
    "group_weights": {
        "default": {"effectiveness": {"public": 1.0}, "cooperation": {"public": 1.0}}
    },
}


def public(sizes: dict, answer=4.0) -> pd.DataFrame:
    """``sizes[agency]`` public responses, each answering e1 with ``answer[agency]``."""
    rows = [(a, k) for a, n in sizes.items() for k in range(n)]
    return pd.DataFrame(
        {
            "response_id": range(len(rows)),
            "group": "public",
            "agency_id": [a for a, _ in rows],
            "rater_id": np.nan,
            "duration_s": [100.0 + k for _, k in rows],
            "submitted_at": pd.Timestamp("2025-03-03 09:00")
            + pd.to_timedelta([k for _, k in rows], "h"),
            "flags": "",
            "e1": [answer[a] if isinstance(answer, dict) else answer for a, _ in rows],
        }
    )


ITEMS = pd.DataFrame({"item_id": ["e1"], "dimension": ["成效度"], "scale": ["likert5"]})


def test_an_agency_below_the_group_minimum_is_not_rated():
    # Agency 4 has the best answers but only 3 responses (minimum 5): shown, not ranked.
    sizes = {1: 10, 2: 10, 3: 10, 4: 3}
    responses = public(sizes, answer={1: 4.0, 2: 3.0, 3: 2.0, 4: 5.0})
    ev = evaluate(responses, ITEMS, quick_config(**ONE_GROUP), workers=1)
    table = ev.ranking
    assert table["rated"].tolist() == [True, True, True, False]
    assert table.loc[4, "composite"] == pytest.approx(100.0)
    assert np.isnan(
        table.loc[4, ["rank", "rank_low", "rank_high", "tie_group"]].astype(float)
    ).all()
    assert pd.isna(table.loc[4, "band"]) and not table.loc[4, "borderline"]
    assert np.isnan(table.loc[4, "p_excellent"])
    assert table.loc[[1, 2, 3], "rank"].tolist() == [1, 2, 3]  # ranked among the rated
    assert "effectiveness" in table.loc[4, "not_rated_reason"]
    assert "public n=3 < 5" in table.loc[4, "not_rated_reason"]
    assert table.loc[[1, 2, 3], "not_rated_reason"].isna().all()
    assert ev.explain(4)["rated"] is False
    assert any("1 of 4 agencies not rated" in note for note in ev.quality.notes)


def test_an_empty_response_table_ranks_nobody():
    responses, items, agencies, _ = small_year(6, 300)
    ev = evaluate(responses.iloc[:0], items, quick_config(), agencies=agencies, workers=1)
    table = ev.ranking
    assert not table["rated"].any()
    assert table["rank"].isna().all() and table["band"].isna().all()
    assert (table["not_rated_reason"] == "no survey responses").all()
    # The composite of 全面度/时效度 is still shown, with its weight share.
    np.testing.assert_allclose(
        table["composite"],
        (agencies.set_index("agency_id")[["comprehensiveness", "timeliness"]].mean(axis=1)),
    )
    np.testing.assert_allclose(table["composite_weight"], 0.4)


def test_an_agency_missing_from_the_survey_is_not_rated():
    responses, items, agencies, _ = small_year(8, 1600, seed=2)
    gone = responses[responses["agency_id"] != 3]
    ev = evaluate(gone, items, quick_config(), agencies=agencies, workers=1)
    assert ev.ranking["rated"].sum() == 7
    assert pd.isna(ev.ranking.loc[3, "rank"]) and pd.isna(ev.ranking.loc[3, "band"])
    assert ev.ranking["rank"].max() == 7


def test_the_required_share_of_weight_is_configurable():
    # Two groups, half the weight each; agency 3's second group is below its minimum.
    mean = {"estimator": "mean", "min_n": 5}
    two = {
        "groups": {"public": mean, "deputy": mean},
        "group_weights": {
            "default": {
                "effectiveness": {"public": 0.5, "deputy": 0.5},
                "cooperation": {"public": 0.5, "deputy": 0.5},
            }
        },
    }  # fmt: skip
    a = public({1: 6, 2: 6, 3: 6})
    b = public({1: 6, 2: 6, 3: 2}).assign(group="deputy", rater_id=None)
    b["response_id"] += len(a)
    b["duration_s"] += 0.5
    frame = pd.concat([a, b], ignore_index=True)
    lenient = evaluate(frame, ITEMS, quick_config(**two), workers=1)
    strict = evaluate(frame, ITEMS, quick_config(**two, rated_min_share=0.6), workers=1)
    assert lenient.ranking["rated"].tolist() == [True, True, True]
    assert strict.ranking["rated"].tolist() == [True, True, False]
    assert "50%" in strict.ranking.loc[3, "not_rated_reason"]


def test_the_error_of_the_target_dimensions_is_stated():
    responses, items, agencies, _ = small_year(8, 1600, seed=2)
    exact = evaluate(responses, items, quick_config(), agencies=agencies, workers=1)
    noisy = evaluate(
        responses, items,
        quick_config(fixed_error={"comprehensiveness": 5.0, "timeliness": 2.0}),
        agencies=agencies, workers=1,
    )  # fmt: skip
    assert any("taken as exact" in note for note in exact.quality.notes)
    assert any("SD 5 and 2 points" in note for note in noisy.quality.notes)
    dims = noisy.dimensions.set_index(["agency_id", "dimension"])
    row = dims.loc[(1, "comprehensiveness")]
    assert row["error_sd"] == 5.0
    half = 1.959964 * 5.0
    assert row["ci_low"] == pytest.approx(max(row["score"] - half, 0), abs=1e-4)
    assert row["ci_high"] == pytest.approx(min(row["score"] + half, 100), abs=1e-4)
    assert (width(noisy) > width(exact)).all()


def width(ev):
    return (ev.ranking["composite_ci_high"] - ev.ranking["composite_ci_low"]).to_numpy()


def test_the_analytic_composite_variance_adds_the_stated_error():
    # Same normal draws scaled by √var: width² is linear in the added variance Σ share²·SD².
    responses, items, agencies, _ = small_year(8, 1600, seed=2)
    runs = [
        evaluate(
            responses, items,
            quick_config(fixed_error={"comprehensiveness": 5.0 * k, "timeliness": 2.0 * k}),
            agencies=agencies, workers=1,
        )
        for k in (0, 1, 2)
    ]  # fmt: skip
    w0, w1, w2 = (width(ev) ** 2 for ev in runs)
    np.testing.assert_allclose(w2 - w0, 4 * (w1 - w0), rtol=1e-6)
