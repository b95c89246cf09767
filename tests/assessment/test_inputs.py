"""The inputs of 履职时效度 and 履职全面度: every outcome with its days late, what is left out,
coverage of categories and business sections, and duty findings, read in a few queries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from survey.assessment.inputs import (
    LATE,
    NOT_DONE,
    ON_TIME,
    OPEN,
    TimelinessCount,
    classify,
    comprehensiveness_rows,
    timeliness_counts,
    timeliness_rows,
)
from survey.targets.models import Category, SetState
from survey.verification.models import FindingKind, Severity
from tests.assessment.conftest import FORMULA_SECTION, FORMULA_TITLE, TODAY

DEADLINE = dt.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("deadline", "completed_on", "expected"),
    [
        (DEADLINE, dt.date(2026, 3, 1), (ON_TIME, 0)),
        (DEADLINE, DEADLINE, (ON_TIME, 0)),
        (DEADLINE, dt.date(2026, 4, 1), (LATE, 1)),
        (DEADLINE, dt.date(2026, 4, 30), (LATE, 30)),
        (DEADLINE, None, (NOT_DONE, 76)),  # today is 15 June
        (TODAY, None, (OPEN, 0)),  # due today is not yet missed
        (dt.date(2026, 12, 31), None, (OPEN, 0)),
        (None, dt.date(2026, 4, 1), (ON_TIME, 0)),
        (None, None, (OPEN, 0)),
    ],
)
def test_the_rule(deadline, completed_on, expected):
    assert classify(deadline, completed_on, TODAY) == expected


def test_every_outcome_of_approved_live_targets(db_session, world, scene):
    rows = {row.target_id: row for row in timeliness_rows(db_session, world.year, today=TODAY)}

    # the withdrawn target and the submitted (not approved) set of agency B are left out
    assert set(rows) == {
        scene.on_deadline,
        scene.early,
        scene.late,
        scene.partly,
        scene.unassessed,
        scene.due_today,
        scene.later,
    }
    outcomes = {target_id: (row.outcome, row.days_late) for target_id, row in rows.items()}
    assert outcomes == {
        scene.on_deadline: (ON_TIME, 0),
        scene.early: (ON_TIME, 0),
        scene.late: (LATE, 10),
        scene.partly: (NOT_DONE, 45),
        scene.unassessed: (NOT_DONE, 14),
        scene.due_today: (OPEN, 0),
        scene.later: (OPEN, 0),
    }
    late = rows[scene.late]
    assert (late.agency_id, late.agency_name, late.title) == (
        world.agency_a.id,
        "测试市甲局",
        "逾期完成",
    )
    assert (late.deadline, late.completed_on) == (DEADLINE, dt.date(2026, 4, 10))
    # only a target reported done has a completion date
    assert rows[scene.partly].completed_on is None
    assert rows[scene.later].title == FORMULA_TITLE


def test_rows_come_by_agency_then_deadline(db_session, world, scene):
    rows = timeliness_rows(db_session, world.year, today=TODAY)
    assert [row.deadline for row in rows] == sorted(row.deadline for row in rows)


def test_timeliness_counts_per_agency(db_session, world, scene):
    counts = timeliness_counts(timeliness_rows(db_session, world.year, today=TODAY))
    assert counts == [TimelinessCount(world.agency_a.id, "测试市甲局", 2, 1, 2, 2)]
    assert counts[0].total == 7


def test_outcomes_move_with_today(db_session, world, scene):
    rows = timeliness_rows(db_session, world.year, today=dt.date(2026, 10, 1))
    outcomes = {row.target_id: (row.outcome, row.days_late) for row in rows}
    assert outcomes[scene.due_today] == (NOT_DONE, 108)
    assert outcomes[scene.later] == (NOT_DONE, 1)


def test_agency_filter(db_session, world, scene):
    assert (
        timeliness_rows(db_session, world.year, today=TODAY, agency_ids=[world.agency_b.id]) == []
    )
    assert comprehensiveness_rows(db_session, world.year, agency_ids=[]) == []
    [row] = comprehensiveness_rows(db_session, world.year, agency_ids=[world.agency_b.id])
    assert row.agency_id == world.agency_b.id


def test_coverage_and_findings(db_session, world, scene):
    a, b = comprehensiveness_rows(db_session, world.year)
    # agency C has no target set in the year: no row

    assert (a.agency_id, a.agency_name, a.set_state) == (
        world.agency_a.id,
        "测试市甲局",
        SetState.approved,
    )
    assert a.target_count == 7  # the withdrawn one does not count
    assert a.categories_covered == {Category.core_duty, Category.party_government}
    assert a.categories_missing == {Category.system_task, Category.coordination, Category.other}
    # 办公室 carries a target but is not a business section; the removed one is history
    assert a.business_sections_covered == ("业务一科",)
    assert a.business_sections_missing == (FORMULA_SECTION,)
    assert a.findings_by_kind == {
        FindingKind.overreach: 2,
        FindingKind.absence: 1,
        FindingKind.misplacement: 0,
    }
    assert a.findings_by_severity == {Severity.minor: 1, Severity.moderate: 1, Severity.serious: 1}
    assert [(f.kind, f.severity, f.description) for f in a.findings] == [
        (FindingKind.overreach, Severity.minor, "多头审批"),
        (FindingKind.overreach, Severity.serious, "越权检查"),
        (FindingKind.absence, Severity.moderate, "监管缺位"),
    ]

    assert (b.agency_id, b.set_state, b.target_count) == (
        world.agency_b.id,
        SetState.submitted,
        1,
    )
    assert b.categories_covered == {Category.coordination}
    assert len(b.categories_missing) == 4
    assert (b.business_sections_covered, b.business_sections_missing) == ((), ("业务一科",))
    assert set(b.findings_by_kind.values()) == {0}
    assert b.findings == ()


def test_an_empty_year(db_session, world):
    assert timeliness_rows(db_session, world.year, today=TODAY) == []
    assert comprehensiveness_rows(db_session, world.year) == []


def test_few_queries_however_many_targets(app, db_session, world, scene):
    selects = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    engine = app.extensions["survey.db"]["engine"]
    db_session.expire_all()
    assert world.year.id  # reload the year before counting
    event.listen(engine, "before_cursor_execute", count)
    try:
        timeliness_rows(db_session, world.year, today=TODAY)
        assert len(selects) == 1
        selects.clear()
        comprehensiveness_rows(db_session, world.year)
        assert len(selects) == 4
    finally:
        event.remove(engine, "before_cursor_execute", count)
