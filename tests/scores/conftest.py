"""A year with everything a run reads: approved targets for agency A (on time, late, not
done), its self-assessment and a verified score, a duty finding, 加减分, and public and
grassroots surveys. Agency B has no targets, so it is not rated on two dimensions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from survey.db import utcnow
from survey.scores import services
from survey.targets.models import Category, Completion, SetState
from survey.verification.models import DutyFinding, FindingKind, ScoreAdjustment, Severity
from survey.years.models import YearState
from tests.assessment.builders import target, target_set
from tests.responses.admin.conftest import bulk_responses, make_campaign

AS_OF = dt.date(2026, 12, 1)
STAMP = dt.datetime(2026, 11, 20, 2, 30, tzinfo=dt.UTC)


def build_year(db_session, world, agency=None) -> dict:
    agency = agency or world.agency_a
    if world.year.state is YearState.draft:
        world.year.open()
    owner = target_set(db_session, world, agency, SetState.approved)
    on_time = target(
        db_session, world, owner, "按时完成", deadline=dt.date(2026, 6, 30),
        status=Completion.done, completed_on=dt.date(2026, 6, 20),
    )  # fmt: skip
    late = target(
        db_session, world, owner, "逾期完成", deadline=dt.date(2026, 6, 30),
        status=Completion.done, completed_on=dt.date(2026, 7, 10), category=Category.other,
    )  # fmt: skip
    target(db_session, world, owner, "未完成", deadline=dt.date(2026, 9, 30))
    owner.assessment_submitted_at = utcnow()
    owner.assessment_submitted_by_id = world.leader_a.id
    db_session.add(
        ScoreAdjustment(
            target_id=late.id, original_score=Decimal("90.0"), adjusted_score=Decimal("70.0"),
            reason="逾期", adjusted_by_id=world.supervisor.id,
        )
    )  # fmt: skip
    db_session.add(
        DutyFinding(
            agency_id=agency.id, year_id=world.year.id, kind=FindingKind.absence,
            severity=Severity.moderate, description="监管缺位", recorded_by_id=world.supervisor.id,
        )
    )  # fmt: skip
    public = make_campaign(db_session, world)
    grassroots = make_campaign(db_session, world, group="grassroots")
    for rated in (world.agency_a, world.agency_b):
        bulk_responses(db_session, public, rated, 35, flagged_every=10, submitted_at=STAMP,
                       key=f"p{rated.id}")  # fmt: skip
        bulk_responses(db_session, grassroots, rated, 6, submitted_at=STAMP, key=f"g{rated.id}")
    db_session.commit()
    return {"targets": (on_time, late), "public": public}


@pytest.fixture
def scored(db_session, world):
    return build_year(db_session, world)


def scored_run(db_session, world):
    """A computed run of the world's year and one 加减分 item (for the access matrix, whose
    agency A already has a target set)."""
    build_year(db_session, world, world.agency_b)
    item = services.add_item(
        db_session, world.supervisor, world.year, world.agency_a,
        points="2", reason="获评先进", basis="文件",
    )  # fmt: skip
    db_session.commit()
    run = services.compute_run(db_session, world.supervisor, world.year, AS_OF, workers=1)
    db_session.commit()
    return run, item


def mark_final(db_session, world, year=None) -> None:
    """A final run for a year, stored directly (for tests of closing, which needs one)."""
    from survey.scores.models import RunFinalisation, ScoringRun

    year = year or world.year
    run = ScoringRun(
        year_id=year.id, number=1, as_of=AS_OF, engine_version="test", configuration="{}",
        standards={}, input_counts={}, source_checksums={}, input_checksum="0" * 64,
        result_checksum="0" * 64, results='{"agencies": []}',
    )  # fmt: skip
    db_session.add(run)
    db_session.flush()
    db_session.add(
        RunFinalisation(run_id=run.id, year_id=year.id, finalised_by_id=world.supervisor.id)
    )
    db_session.commit()
