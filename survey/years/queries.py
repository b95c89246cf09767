"""Reading assessment years within what an office user may see."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.agencies.queries import scope_ids
from survey.years.models import AssessmentYear, YearState


def year_or_404(session: Session, user, year_id: int | None) -> AssessmentYear:
    """The year if it belongs to a jurisdiction the user's office supervises; 404 otherwise
    (another office's year looks like no year at all)."""
    year = session.get(AssessmentYear, year_id) if year_id else None
    if year is None or year.jurisdiction_id not in scope_ids(session, user):
        abort(404)
    return year


def agency_year_or_404(session: Session, agency, year_id: int) -> AssessmentYear:
    """A year of the agency's own jurisdiction (the agency already checked to be in scope)."""
    year = session.get(AssessmentYear, year_id)
    if year is None or year.jurisdiction_id != agency.jurisdiction_id:
        abort(404)
    return year


def working_year(session: Session, agency: Agency) -> AssessmentYear | None:
    """The year an agency works in: its jurisdiction's open year (at most one)."""
    return session.scalar(
        select(AssessmentYear).where(
            AssessmentYear.jurisdiction_id == agency.jurisdiction_id,
            AssessmentYear.state == YearState.open,
        )
    )
