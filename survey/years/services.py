"""Assessment years: create, configure, open, close. A closed year is read-only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.auditing import record
from survey.errors import DomainError
from survey.years.config import default_config, validate
from survey.years.models import AssessmentYear, YearState


def _snapshot(year: AssessmentYear) -> dict:
    return {"year": year.year, "state": year.state.value, "config": year.config}


def _state(year: AssessmentYear) -> dict:
    """A state change does not touch the configuration: log the state alone."""
    return {"year": year.year, "state": year.state.value}


def _year_taken(session: Session, jurisdiction_id: int, year: int) -> bool:
    statement = select(AssessmentYear.id).where(
        AssessmentYear.jurisdiction_id == jurisdiction_id, AssessmentYear.year == year
    )
    return session.scalar(statement) is not None


def _year_exists(year: int) -> DomainError:
    return DomainError(_l("The year %(year)d already exists for this jurisdiction.", year=year))


def create_year(
    session: Session, actor, *, jurisdiction_id: int, year: int, config: dict | None = None
) -> AssessmentYear:
    if _year_taken(session, jurisdiction_id, year):
        raise _year_exists(year)
    assessment_year = AssessmentYear(
        jurisdiction_id=jurisdiction_id, year=year, config=validate(config or default_config())
    )
    session.add(assessment_year)
    try:
        session.flush()
    except IntegrityError as exc:  # created by another request since the check
        raise _year_exists(year) from exc
    record(
        session,
        actor,
        "year.create",
        assessment_year,
        jurisdiction_id=jurisdiction_id,
        after=_snapshot(assessment_year),
    )
    return assessment_year


def update_config(session: Session, actor, year: AssessmentYear, config: dict) -> None:
    if not year.is_editable:
        raise DomainError(_l("A closed year cannot be changed."))
    before = _snapshot(year)
    year.config = validate(config)
    record(
        session,
        actor,
        "year.configure",
        year,
        jurisdiction_id=year.jurisdiction_id,
        before=before,
        after=_snapshot(year),
    )


def _other_open_year(session: Session, year: AssessmentYear) -> AssessmentYear | None:
    return session.scalar(
        select(AssessmentYear).where(
            AssessmentYear.jurisdiction_id == year.jurisdiction_id,
            AssessmentYear.state == YearState.open,
            AssessmentYear.id != year.id,
        )
    )


def _open_elsewhere(other: AssessmentYear) -> DomainError:
    return DomainError(_l("Close the year %(year)d before opening another.", year=other.year))


def open_year(session: Session, actor, year: AssessmentYear) -> None:
    other = _other_open_year(session, year)
    if other is not None:
        raise _open_elsewhere(other)
    before = _state(year)
    try:
        with session.begin_nested():  # flushes what was pending before: keep open() inside
            year.open()
            session.flush()
    except IntegrityError as exc:
        # Another request opened a year since the check. Only the savepoint was lost, so
        # the session can still say which year that was.
        other = _other_open_year(session, year)
        if other is None:
            raise
        raise _open_elsewhere(other) from exc
    record(
        session,
        actor,
        "year.open",
        year,
        jurisdiction_id=year.jurisdiction_id,
        before=before,
        after=_state(year),
    )


def close_year(session: Session, actor, year: AssessmentYear, checks=()) -> None:
    """Close the year once every check (``(session, year) -> message | None``, given by the
    features that hold rules about closing, e.g. a final scoring run) passes."""
    problems = [p for p in (check(session, year) for check in checks) if p]
    if problems:
        error = DomainError(problems[0])
        error.problems = problems
        raise error
    before = _state(year)
    year.close()
    record(
        session,
        actor,
        "year.close",
        year,
        jurisdiction_id=year.jurisdiction_id,
        before=before,
        after=_state(year),
    )
