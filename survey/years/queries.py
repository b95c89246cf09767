"""Reading assessment years within what an office user may see."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.agencies.queries import scope_ids
from survey.years.models import AssessmentYear, YearState


def year_or_404(
    session: Session, user, year_id: int | None, visible: list[int] | None = None
) -> AssessmentYear:
    """The year if it belongs to a jurisdiction the user's office supervises; 404 otherwise
    (another office's year looks like no year at all). ``visible``: the user's scope, when
    the caller has it already."""
    year = session.get(AssessmentYear, year_id) if year_id else None
    if visible is None:
        visible = scope_ids(session, user)
    if year is None or year.jurisdiction_id not in visible:
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


def no_open_year_message(session: Session, agency: Agency) -> str:
    """Why an agency's pages of the year lead nowhere: none opened yet, or the last closed."""
    closed = session.scalar(
        select(AssessmentYear.year)
        .where(
            AssessmentYear.jurisdiction_id == agency.jurisdiction_id,
            AssessmentYear.state == YearState.closed,
        )
        .order_by(AssessmentYear.year.desc())
        .limit(1)
    )
    if closed is not None:
        return _(
            "The %(year)d assessment year is closed: its targets, ledger and filings no longer "
            "change. The pages open again when the office opens the next year.",
            year=closed,
        )
    return _("Your jurisdiction has no open assessment year yet.")
