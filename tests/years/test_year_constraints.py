"""The database itself keeps the year's lifecycle consistent, whatever the code does."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from survey.errors import DomainError
from survey.years import services
from survey.years.config import default_config
from survey.years.models import AssessmentYear, YearState

NOW = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def refused(db_session, statement, **params) -> bool:
    """True when the database rejects ``statement``; the test's transaction lives on."""
    try:
        with db_session.begin_nested():
            db_session.execute(statement, params)
    except IntegrityError:
        return True
    return False


@pytest.mark.parametrize(
    ("state", "opened", "closed"),
    [
        ("draft", True, False),
        ("draft", False, True),
        ("open", False, False),
        ("open", True, True),
        ("closed", True, False),
        ("closed", False, True),
    ],
)
def test_state_and_timestamps_must_agree(world, db_session, state, opened, closed):
    statement = (
        update(AssessmentYear)
        .where(AssessmentYear.id == world.year.id)
        .values(
            state=YearState(state),
            opened_at=NOW if opened else None,
            closed_at=NOW if closed else None,
        )
    )
    assert refused(db_session, statement)


@pytest.mark.parametrize(
    ("state", "opened", "closed"),
    [("draft", False, False), ("open", True, False), ("closed", True, True)],
)
def test_legal_combinations_are_accepted(world, db_session, state, opened, closed):
    statement = (
        update(AssessmentYear)
        .where(AssessmentYear.id == world.year.id)
        .values(
            state=YearState(state),
            opened_at=NOW if opened else None,
            closed_at=NOW if closed else None,
        )
    )
    assert not refused(db_session, statement)


def test_an_unknown_state_is_refused(world, db_session):
    statement = text("UPDATE assessment_years SET state = 'ended' WHERE id = :id")
    assert refused(db_session, statement, id=world.year.id)


def test_a_second_open_year_in_a_jurisdiction_is_refused(app, world, db_session):
    with app.app_context():
        other = services.create_year(db_session, None, jurisdiction_id=world.city.id, year=2027)
        elsewhere = services.create_year(
            db_session, None, jurisdiction_id=world.district.id, year=2026
        )
        db_session.flush()

    def open_statement(year):
        return (
            update(AssessmentYear)
            .where(AssessmentYear.id == year.id)
            .values(state=YearState.open, opened_at=NOW)
        )

    assert not refused(db_session, open_statement(world.year))
    assert refused(db_session, open_statement(other))
    assert not refused(db_session, open_statement(elsewhere))  # its own jurisdiction
    closing = (
        update(AssessmentYear)
        .where(AssessmentYear.id == world.year.id)
        .values(state=YearState.closed, closed_at=NOW)
    )
    assert not refused(db_session, closing)
    assert not refused(db_session, open_statement(other))  # closed years do not count


def test_one_year_per_jurisdiction_and_year(world, db_session):
    statement = text(
        "INSERT INTO assessment_years (jurisdiction_id, year, state, config, created_at)"
        " VALUES (:jurisdiction_id, 2026, 'draft', '{}', CURRENT_TIMESTAMP)"
    )
    assert refused(db_session, statement, jurisdiction_id=world.city.id)
    assert not refused(db_session, statement, jurisdiction_id=world.district.id)


@pytest.mark.parametrize("year", [1999, 2101])
def test_year_out_of_range_is_refused(world, db_session, year):
    statement = update(AssessmentYear).where(AssessmentYear.id == world.year.id).values(year=year)
    assert refused(db_session, statement)


def test_the_model_guards_its_transitions(app, world):
    year = AssessmentYear(jurisdiction_id=world.city.id, year=2030, config=default_config())
    year.state = YearState.draft
    with app.app_context():
        with pytest.raises(DomainError):
            year.close()
        year.open()
        with pytest.raises(DomainError):
            year.open()
        year.close()
        assert year.opened_at <= year.closed_at
        with pytest.raises(DomainError):
            year.open()
