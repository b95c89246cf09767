"""evaluate(): end-to-end behaviour on synthetic years with planted truth."""

import numpy as np
import pandas as pd
import pytest

from analysis import evaluate
from analysis.config import RATED_DIMENSIONS

from .conftest import quick_config, small_year

CELL_COLUMNS = {
    "agency_id", "dimension", "group", "n", "n_with_flagged", "estimator", "mean", "sd",
    "trimmed_mean", "trim_g", "robust", "se", "ci_low", "ci_high", "satisfaction",
    "satisfaction_ci_low", "satisfaction_ci_high", "score", "reliability", "posterior_se",
    "low_n", "low_reliability", "low_confidence", "score_ci_low", "score_ci_high",
}  # fmt: skip


def test_result_tables_have_the_documented_shape(evaluation, year):
    _, _, agencies, _ = year
    assert CELL_COLUMNS <= set(evaluation.cells.columns)
    assert set(evaluation.cells["group"]) == {"public", "deputy", "grassroots", "peer"}
    assert len(evaluation.dimensions) == 4 * len(agencies)
    assert list(evaluation.ranking.index) == list(agencies["agency_id"])
    for column in ("composite", "rank", "rank_low", "rank_high", "tie_group", "band"):
        assert column in evaluation.ranking.columns
    assert set(evaluation.items["item_id"]) == {f"e{i}" for i in range(1, 6)} | {
        f"c{i}" for i in range(1, 5)
    }
    assert evaluation.config.bootstrap.replicates == 200


def test_estimators_follow_the_configuration(evaluation):
    used = evaluation.cells.groupby("group")["estimator"].first().to_dict()
    assert used == {"public": "mean", "deputy": "twoway", "grassroots": "twoway", "peer": "srm"}


def test_scores_recover_the_planted_quality(evaluation, year):
    _, _, _, truth = year
    dims = evaluation.dimensions.pivot(index="agency_id", columns="dimension", values="score")
    assert np.corrcoef(dims["effectiveness"], truth.effectiveness)[0, 1] > 0.8
    assert np.corrcoef(dims["cooperation"], truth.cooperation)[0, 1] > 0.8


def test_intervals_contain_their_estimates(evaluation):
    cells = evaluation.cells
    assert (cells["score_ci_low"] <= cells["score"] + 1e-9).all()
    assert (cells["score"] <= cells["score_ci_high"] + 1e-9).all()
    dims = evaluation.dimensions
    assert (
        (dims["ci_low"] <= dims["score"] + 1e-9) & (dims["score"] <= dims["ci_high"] + 1e-9)
    ).all()
    ranking = evaluation.ranking
    assert (
        (ranking["rank_low"] <= ranking["rank"]) & (ranking["rank"] <= ranking["rank_high"])
    ).all()


def test_quality_report_flags_the_burst_and_reports_with_flagged(evaluation, year):
    _, _, _, truth = year
    quality = evaluation.quality
    assert quality.responses.loc["public", "burst"] >= 150
    flagged = quality.flagged
    burst_rows = flagged[flagged["reasons"].str.contains("burst")]
    assert (burst_rows["agency_id"] == truth.burst_agency).mean() > 0.9
    assert burst_rows["excluded"].all()
    moved = quality.with_flagged.loc[truth.burst_agency]
    assert moved["composite_with_flagged"] > moved["composite"]
    cell = evaluation.cells.query(
        "agency_id == @truth.burst_agency and group == 'public' and dimension == 'effectiveness'"
    ).iloc[0]
    assert cell["n_with_flagged"] >= cell["n"] + 150


def test_quality_report_shows_collusion_and_rival(evaluation, year):
    _, _, _, truth = year
    report = evaluation.quality.peer_report("effectiveness")
    top = report.pairs.iloc[0]
    assert {top["a"], top["b"]} == set(truth.colluding_pair)
    assert top["flagged"]
    assert set(report.flagged_pairs["a"]) | set(report.flagged_pairs["b"]) >= set(
        truth.colluding_pair
    )
    assert truth.rival in report.rival_raters.index
    assert report.dyadic_reciprocity == pytest.approx(report.dyadic_reciprocity)
    assert set(report.variance) >= {"actor", "partner", "relationship"}


def test_reliability_table(evaluation):
    table = evaluation.quality.reliability
    assert set(zip(table["group"], table["dimension"], strict=True)) >= {
        ("public", "effectiveness"), ("peer", "effectiveness"), ("peer", "cooperation"),
    }  # fmt: skip
    assert table["alpha"].between(0, 1).all()
    peer = table.query("group == 'peer'")
    assert peer["score_reliability"].between(0, 1).all()
    assert peer["krippendorff_alpha"].notna().all() and peer["gwet_ac2"].notna().all()
    assert table.query("group == 'public'")["krippendorff_alpha"].isna().all()
    components = evaluation.quality.rater_models
    assert {"srm", "twoway"} <= set(components["model"])


def test_small_groups_are_marked_not_dropped():
    responses, items, agencies, _ = small_year(10, 900, seed=5)
    ev = evaluate(responses, items, quick_config(), agencies=agencies, workers=1)
    public = ev.cells.query("group == 'public' and dimension == 'effectiveness'")
    small = public[public["n"] < 30]
    assert len(small) > 0
    assert small["low_n"].all() and small["low_confidence"].all()
    assert small["score"].notna().all()
    assert set(public["agency_id"]) == set(agencies["agency_id"])


def test_missing_group_is_renormalised_and_listed():
    responses, items, agencies, _ = small_year(8, 800, seed=6)
    responses = responses[~((responses["group"] == "public") & (responses["agency_id"] == 3))]
    ev = evaluate(responses, items, quick_config(), agencies=agencies, workers=1)
    row = ev.dimensions.query("agency_id == 3 and dimension == 'effectiveness'").iloc[0]
    assert row["missing_groups"] == "public"
    assert row["weight_present"] == pytest.approx(0.7)


def test_without_targets_inputs_the_composite_uses_rated_dimensions():
    responses, items, _, _ = small_year(8, 800, seed=6)
    ev = evaluate(responses, items, quick_config(), workers=1)
    assert ev.ranking["composite_weight"].to_numpy() == pytest.approx(0.6)
    dims = ev.dimensions.pivot(index="agency_id", columns="dimension", values="score")
    expected = (0.35 * dims["effectiveness"] + 0.25 * dims["cooperation"]) / 0.6
    np.testing.assert_allclose(ev.ranking["composite"], expected)


def test_complete_deputy_design_falls_back_to_the_olympic_mean():
    responses, items, agencies, _ = small_year(8, 800, seed=7, deputy_share=1.0)
    ev = evaluate(responses, items, quick_config(), agencies=agencies, workers=1)
    deputy = ev.cells.query("group == 'deputy'")
    assert set(deputy["estimator"]) == {"trimmed"}
    assert (deputy["trim_g"] == 1).all()  # 15 deputies ≥ 7: drop highest and lowest
    assert any("complete design" in note for note in ev.quality.notes)


def test_peer_ratings_without_rater_ids_fall_back_with_a_note():
    responses, items, agencies, _ = small_year(8, 800, seed=7)
    responses.loc[responses["group"] == "peer", "rater_id"] = np.nan
    ev = evaluate(responses, items, quick_config(), agencies=agencies, workers=1)
    assert set(ev.cells.query("group == 'peer'")["estimator"]) == {"trimmed"}
    assert any(note.startswith("peer/") and "rater_id" in note for note in ev.quality.notes)


def test_self_ratings_are_dropped():
    responses, items, agencies, _ = small_year(8, 800, seed=8)
    peer = responses[responses["group"] == "peer"].head(8).copy()
    peer["rater_id"] = peer["agency_id"]
    peer["response_id"] += len(responses)
    peer[[f"e{i}" for i in range(1, 6)]] = 5.0
    ev = evaluate(
        pd.concat([responses, peer], ignore_index=True), items, quick_config(), agencies=agencies,
        workers=1,
    )  # fmt: skip
    report = ev.quality.peer_report("effectiveness")
    assert report.n_self_ratings_dropped == 8


def test_sensitivity_table(evaluation):
    table = evaluation.sensitivity
    base = table[table["weight"] == "base"].set_index("agency_id")
    np.testing.assert_allclose(
        base["composite"].reindex(evaluation.ranking.index), evaluation.ranking["composite"]
    )
    assert table["rank"].between(1, len(evaluation.ranking)).all()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r, i: (r.drop(columns=["duration_s"]), i), "duration_s"),
        (lambda r, i: (r.assign(group="crowd"), i), "crowd"),
        (lambda r, i: (r, i.assign(dimension="履职全面度")), "comprehensiveness"),
        (lambda r, i: (r, i.assign(scale="likert7")), "likert7"),
        (lambda r, i: (r.assign(e1=9.0), i), "'e1'"),
        (lambda r, i: (r.drop(columns=["e2"]), i), "e2"),
        (lambda r, i: (r.assign(agency_id=None), i), "agency_id"),
    ],
)
@pytest.mark.parametrize("workers", [1, 2])  # 2: the item-encoding thread must not hang
def test_bad_input_is_reported_clearly(mutate, message, workers):
    responses, items, _, _ = small_year(6, 300, seed=1)
    responses, items = mutate(responses, items)
    with pytest.raises(ValueError, match=message):
        evaluate(responses, items, quick_config(), workers=workers)


def test_chinese_dimension_names_are_accepted(year):
    responses, items, agencies, _ = year
    assert set(items["dimension"]) == {"成效度", "配合度"}  # the synthetic table uses them
    renamed = items.assign(
        dimension=items["dimension"].map({"成效度": "effectiveness", "配合度": "cooperation"})
    )
    a = evaluate(responses, items, quick_config(), agencies=agencies, workers=1)
    b = evaluate(responses, renamed, quick_config(), agencies=agencies, workers=1)
    pd.testing.assert_frame_equal(a.cells, b.cells)
    assert set(a.cells["dimension"]) == set(RATED_DIMENSIONS)


def test_peer_scores_rated_by_few_peers_are_low_confidence():
    responses, items, agencies, _ = small_year(12, 800, seed=9)
    peer = responses["group"] == "peer"
    rated_3 = peer & (responses["agency_id"] == 3)
    drop = responses.index[rated_3][:6]  # 5 of 11 possible raters remain: < 70 %
    ev = evaluate(responses.drop(drop), items, quick_config(), agencies=agencies, workers=1)
    cells = ev.cells.query("group == 'peer' and dimension == 'effectiveness'").set_index(
        "agency_id"
    )
    assert cells.loc[3, "n_raters"] == 5
    assert cells.loc[3, "low_n"] and cells.loc[3, "low_confidence"]
    assert not cells.drop(index=3)["low_n"].any()


def test_sensitivity_reports_rank_changes(evaluation):
    table = evaluation.sensitivity
    assert (table.loc[table["weight"] == "base", "rank_change"] == 0).all()
    merged = table.merge(
        table[table["weight"] == "base"][["agency_id", "rank"]], on="agency_id", suffixes=("", "_0")
    )
    np.testing.assert_array_equal(merged["rank"] - merged["rank_0"], merged["rank_change"])


def test_no_responses_still_scores_the_targets_dimensions():
    responses, items, agencies, _ = small_year(6, 300, seed=1)
    ev = evaluate(responses.iloc[:0], items, quick_config(20), agencies=agencies, workers=1)
    assert ev.cells.empty and CELL_COLUMNS - {"score_ci_low", "score_ci_high"} <= set(
        ev.cells.columns
    )
    assert ev.ranking["composite_weight"].to_numpy() == pytest.approx(0.4)
    expected = (agencies["comprehensiveness"] + agencies["timeliness"]).to_numpy() / 2
    np.testing.assert_allclose(ev.ranking["composite"], expected)
