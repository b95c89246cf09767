"""Scoring runs computed from the product's data: hand-checked dimensions, not-rated agencies,
加减分 and reversal, immutability, reproducibility, clear refusals, final mark and close."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from survey.errors import DomainError
from survey.scores import services
from survey.scores.diff import compare
from survey.scores.models import RunFinalisation, ScoringResult, ScoringRun
from survey.years import services as years
from tests.scores.conftest import AS_OF


def compute(app, db_session, world):
    with app.app_context():
        run = services.compute_run(db_session, world.supervisor, world.year, AS_OF, workers=1)
        db_session.commit()
    return run


def result(run, agency) -> dict:
    return next(a for a in run.result_data()["agencies"] if a["agency_id"] == agency.id)


def test_dimensions_follow_the_standards(app, db_session, world, scored):
    run = compute(app, db_session, world)
    a = result(run, world.agency_a)
    dims = a["dimensions"]
    # 100 on time, 90 ten days late, 0 not done by 30 September.
    assert dims["timeliness"]["score"] == pytest.approx((100 + 90 + 0) / 3)
    # 1 of 4 required categories, 0 of 1 business section (share 0.5): 12.5, minus 5 for a
    # moderate finding.
    assert dims["comprehensiveness"]["score"] == pytest.approx(7.5)
    # Self-scores 8 and (verified) 70, equal weights, on 0–100.
    assert a["sources"]["self_assessment"]["targets"][1]["adjusted_score"] == 70.0
    groups = {g["group"]: g for g in next(
        d for d in a["engine"]["dimensions"] if d["dimension"] == "effectiveness"
    )["groups"]}  # fmt: skip
    assert groups["self"]["score"] == pytest.approx(39.0)
    assert groups["self"]["weight"] == pytest.approx(0.2)
    assert groups["public"]["weight"] == pytest.approx(0.3 * 0.7)
    # Every tenth public response is flagged too fast: 4 of 35 excluded.
    assert groups["public"]["n"] == 31
    assert a["ranked"] and a["rank"] == 1 and a["band"] is not None


def test_agency_without_targets_is_not_rated_nor_ranked(app, db_session, world, scored):
    run = compute(app, db_session, world)
    b = result(run, world.agency_b)
    assert {e["dimension"] for e in b["not_rated"]} == {"comprehensiveness", "timeliness"}
    assert not b["ranked"] and b["rank"] is None and b["band"] is None
    assert b["composite"] is not None  # shown, with the marks
    row = db_session.scalar(
        select(ScoringResult).where(
            ScoringResult.run_id == run.id, ScoringResult.agency_id == world.agency_b.id
        )
    )
    assert row.rank is None and not row.ranked and row.timeliness is None


def test_counts_agree_with_the_engine(app, db_session, world, scored):
    document = compute(app, db_session, world).result_data()
    ours = {(c["agency_id"], c["group"], c["dimension"]): c["n"] for c in document["survey_counts"]}
    cells = document["engine"]["tables"]["cells"]
    engine = {(c["agency_id"], c["group"], c["dimension"]): c["n"] for c in cells}
    assert ours == {k: v for k, v in engine.items() if k[1] in {"public", "grassroots"}}


def test_answer_distributions_add_up_to_the_engine_items(app, db_session, world, scored):
    """Each item's stored answer counts leave out the excluded responses as the engine does:
    they sum to its n, and their points (1–n on 0–100) average to its mean."""
    document = compute(app, db_session, world).result_data()
    checked = 0
    for agency in document["agencies"]:
        for dimension in agency["engine"]["dimensions"]:
            for group in dimension.get("groups", []):
                if group["group"] in {"self", "indicators"}:  # sources, not answers
                    continue
                for item in group.get("items", []):
                    counts = agency["answers"][group["group"]][item["item_id"]]
                    points = int(item["item_id"].split(".")[1])
                    n = sum(c for _, c in counts)
                    mean = sum(100 * (a - 1) / (points - 1) * c for a, c in counts) / n
                    assert n == item["n"]
                    assert mean == pytest.approx(item["mean"])
                    checked += 1
    assert checked >= 4
    a = next(x for x in document["agencies"] if x["agency_id"] == world.agency_a.id)
    assert set(a["answers"]) == {"public", "grassroots"}  # not the self-assessment source


def test_bonus_items_and_their_reversal(app, db_session, world, scored):
    first = compute(app, db_session, world)
    with app.app_context():
        item = services.add_item(
            db_session, world.supervisor, world.year, world.agency_a,
            points="3", reason="获评先进", basis="枣政发〔2026〕1号",
        )  # fmt: skip
        db_session.commit()
    second = compute(app, db_session, world)
    before, after = result(first, world.agency_a), result(second, world.agency_a)
    assert after["adjustment"] == 3.0
    assert after["composite"] == pytest.approx(before["composite"] + 3.0)
    diff = compare(first, second)
    assert diff.changed_sources == ["score_items"]
    assert [c.agency_id for c in diff.changes] == [world.agency_a.id]
    with app.app_context():
        services.reverse_item(db_session, world.supervisor, item, reason="记错了")
        db_session.commit()
        with pytest.raises(DomainError):
            services.reverse_item(db_session, world.supervisor, item, reason="again")
    third = compute(app, db_session, world)
    assert result(third, world.agency_a)["adjustment"] == 0.0
    assert third.result_checksum != second.result_checksum


def test_bad_points_are_refused(app, db_session, world, scored):
    with app.app_context():
        for points in ("0", "abc", "25", "1.234"):
            with pytest.raises(DomainError):
                services.add_item(
                    db_session, world.supervisor, world.year, world.agency_a,
                    points=points, reason="x", basis="",
                )  # fmt: skip
            db_session.rollback()


def test_same_inputs_give_the_same_run(app, db_session, world, scored):
    first = compute(app, db_session, world)
    second = compute(app, db_session, world)
    assert (second.number, first.number) == (2, 1)
    assert second.input_checksum == first.input_checksum
    assert second.result_checksum == first.result_checksum
    assert second.results == first.results


def test_runs_never_change(app, db_session, world, scored):
    run = compute(app, db_session, world)
    for statement in (
        "UPDATE scoring_runs SET number = 9 WHERE id = :id",
        "DELETE FROM scoring_results WHERE run_id = :id",
    ):
        with pytest.raises(DatabaseError), db_session.begin_nested():
            db_session.execute(text(statement), {"id": run.id})
    db_session.rollback()
    assert db_session.get(ScoringRun, run.id).number == 1


def test_a_year_without_responses_or_targets_is_refused_with_reasons(app, db_session, world):
    world.year.open()
    db_session.commit()
    with app.app_context():
        with pytest.raises(services.RunRefused) as refused:
            services.compute_run(db_session, world.supervisor, world.year, AS_OF)
        problems = " ".join(refused.value.problems)
    assert "调查" in problems or "survey" in problems
    assert len(refused.value.problems) >= 2
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(ScoringRun)) == 0


def test_final_run_and_closing_the_year(app, db_session, world, scored):
    run = compute(app, db_session, world)
    checks = (services.year_close_problem,)
    with app.app_context():
        with pytest.raises(DomainError):
            years.close_year(db_session, world.supervisor, world.year, checks)
        db_session.rollback()
        services.finalise(db_session, world.supervisor, run)
        db_session.commit()
        with pytest.raises(DomainError):
            services.finalise(db_session, world.supervisor, run)
        db_session.rollback()
        years.close_year(db_session, world.supervisor, world.year, checks)
        db_session.commit()
        with pytest.raises(DomainError):
            services.compute_run(db_session, world.supervisor, world.year, AS_OF)
    assert services.final_run(db_session, world.year.id).id == run.id
    assert db_session.scalar(select(func.count()).select_from(RunFinalisation)) == 1


def test_groups_without_a_survey_are_named(app, db_session, world, scored):
    gaps = compute(app, db_session, world).result_data()["gaps"]
    # Deputies and peers are weighted by default but have no survey in this year.
    assert {(g["group"], g["dimension"]) for g in gaps} == {("deputy", None), ("peer", None)}


def test_a_configuration_the_engine_refuses_is_named(app, db_session, world, scored):
    config = dict(world.year.config)
    config["group_weights"] = {
        **config["group_weights"],
        "cooperation": {"public": 0.0, "deputy": 0.0, "grassroots": 0.0, "peer": 0.0},
    }
    world.year.config = config  # as if saved before today's checks
    db_session.commit()
    with app.app_context(), pytest.raises(services.RunRefused) as refused:
        services.compute_run(db_session, world.supervisor, world.year, AS_OF)
    assert "group_weights" in refused.value.problems[0]
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(ScoringRun)) == 0


def test_a_run_numbered_concurrently_is_refused_not_a_500(
    app, db_session, world, scored, monkeypatch
):
    first = compute(app, db_session, world)
    # As if another request stored run 2 between our count and our insert: we count 0 again.
    original = db_session.scalar

    def stale_count(statement, *args, **kwargs):
        if "max(scoring_runs.number)" in str(statement):
            return 0
        return original(statement, *args, **kwargs)

    monkeypatch.setattr(db_session, "scalar", stale_count)
    with app.app_context(), pytest.raises(DomainError, match="same moment|同时"):
        services.compute_run(db_session, world.supervisor, world.year, AS_OF)
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(ScoringRun)) == 1
    assert first.number == 1
