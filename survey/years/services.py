"""Assessment years: create, configure, open, close. A closed year is read-only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.audit.services import record
from survey.errors import DomainError
from survey.years.config import default_config, validate
from survey.years.models import AssessmentYear, YearState


def _snapshot(year: AssessmentYear) -> dict:
    return {"year": year.year, "state": year.state.value, "config": year.config}


def create_year(session: Session, actor, *, jurisdiction_id: int, year: int,
                config: dict | None = None) -> AssessmentYear:
    if session.scalar(select(AssessmentYear.id).where(
        AssessmentYear.jurisdiction_id == jurisdiction_id, AssessmentYear.year == year
    )):
        raise DomainError(_l("The year %(year)d already exists for this jurisdiction.", year=year))
    assessment_year = AssessmentYear(
        jurisdiction_id=jurisdiction_id, year=year, config=validate(config or default_config())
    )
    session.add(assessment_year)
    session.flush()
    record(session, actor, "year.create", assessment_year, jurisdiction_id=jurisdiction_id,
           after=_snapshot(assessment_year))
    return assessment_year


def update_config(session: Session, actor, year: AssessmentYear, config: dict) -> None:
    if not year.is_editable:
        raise DomainError(_l("A closed year cannot be changed."))
    before = _snapshot(year)
    year.config = validate(config)
    record(session, actor, "year.configure", year, jurisdiction_id=year.jurisdiction_id,
           before=before, after=_snapshot(year))


def open_year(session: Session, actor, year: AssessmentYear) -> None:
    other = session.scalar(select(AssessmentYear).where(
        AssessmentYear.jurisdiction_id == year.jurisdiction_id,
        AssessmentYear.state == YearState.open,
        AssessmentYear.id != year.id,
    ))
    if other is not None:
        raise DomainError(_l("Close the year %(year)d before opening another.", year=other.year))
    before = _snapshot(year)
    year.open()
    record(session, actor, "year.open", year, jurisdiction_id=year.jurisdiction_id,
           before=before, after=_snapshot(year))


def close_year(session: Session, actor, year: AssessmentYear) -> None:
    before = _snapshot(year)
    year.close()
    record(session, actor, "year.close", year, jurisdiction_id=year.jurisdiction_id,
           before=before, after=_snapshot(year))
