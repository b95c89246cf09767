"""Reading builds within what a user may see: the office's own years, the agency's own sheets."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survey.agencies.queries import scope_ids
from survey.reports.models import BuildKind, FeedbackReceipt, ReportBuild
from survey.years.models import AssessmentYear


def builds_of(session: Session, year_id: int) -> list[ReportBuild]:
    """The year's report and collection builds, newest first (single sheets are counted)."""
    return list(
        session.scalars(
            select(ReportBuild)
            .where(ReportBuild.year_id == year_id, ReportBuild.kind != BuildKind.feedback)
            .options(selectinload(ReportBuild.run), selectinload(ReportBuild.built_by))
            .order_by(ReportBuild.id.desc())
        )
    )


def sheets_of(session: Session, year_id: int) -> list[ReportBuild]:
    return list(
        session.scalars(
            select(ReportBuild)
            .where(ReportBuild.year_id == year_id, ReportBuild.kind == BuildKind.feedback)
            .options(selectinload(ReportBuild.agency), selectinload(ReportBuild.run))
            .order_by(ReportBuild.id.desc())
        )
    )


def receipts_for(session: Session, build_ids) -> dict[int, FeedbackReceipt]:
    ids = list(build_ids)
    if not ids:
        return {}
    return {
        r.build_id: r
        for r in session.scalars(
            select(FeedbackReceipt)
            .where(FeedbackReceipt.build_id.in_(ids))
            .options(selectinload(FeedbackReceipt.acknowledged_by))
        )
    }


def build_or_404(session: Session, user, build_id: int) -> ReportBuild:
    build = session.get(ReportBuild, build_id)
    if build is None:
        abort(404)
    year = session.get(AssessmentYear, build.year_id)
    if year.jurisdiction_id not in scope_ids(session, user):
        abort(404)
    return build


def own_sheets(session: Session, agency) -> list[ReportBuild]:
    return list(
        session.scalars(
            select(ReportBuild)
            .where(ReportBuild.kind == BuildKind.feedback, ReportBuild.agency_id == agency.id)
            .options(selectinload(ReportBuild.year), selectinload(ReportBuild.run))
            .order_by(ReportBuild.id.desc())
        )
    )


def own_sheet_or_404(session: Session, agency, build_id: int) -> ReportBuild:
    build = session.get(ReportBuild, build_id)
    if build is None or build.kind is not BuildKind.feedback or build.agency_id != agency.id:
        abort(404)
    return build
