"""The database keeps verification records as they were written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from survey.verification import services
from survey.verification.models import DutyFinding, ScoreAdjustment, Visit, VisitFinding
from tests.verification.conftest import ENGLISH


@pytest.fixture
def records(app, world, targets, db_session):
    with app.test_request_context(headers=ENGLISH):
        visit = services.record_visit(
            db_session,
            world.supervisor,
            world.agency_a,
            world.year,
            visited_on=dt.date(2026, 5, 12),
            people="张三",
            methods=["briefing"],
            findings={targets.first.id: "属实"},
        )
        services.adjust_score(
            db_session, world.supervisor, targets.first, adjusted_score=70, reason="复核"
        )
        services.record_duty_finding(
            db_session,
            world.supervisor,
            world.agency_a,
            world.year,
            kind="overreach",
            severity="minor",
            description="代替企业决策",
            visit=visit,
        )
    db_session.commit()


def refused(db_session, statement) -> bool:
    try:
        with db_session.begin_nested():
            db_session.execute(statement)
    except DBAPIError as error:
        return "never changed or deleted" in str(error.orig)
    return False


@pytest.mark.parametrize(
    "statement",
    [
        update(Visit).values(people="篡改"),
        update(VisitFinding).values(text="篡改"),
        update(ScoreAdjustment).values(adjusted_score=100),
        update(DutyFinding).values(description="篡改"),
        delete(VisitFinding),
        delete(ScoreAdjustment),
        delete(DutyFinding),
    ],
    ids=["visit", "finding", "adjustment", "duty", "del-finding", "del-adjustment", "del-duty"],
)
def test_records_cannot_be_changed_or_deleted(records, db_session, statement):
    assert refused(db_session, statement)
