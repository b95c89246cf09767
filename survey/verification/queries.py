"""Reading verification records. Callers scope the agency first (``agency_or_404``)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from survey.verification.models import DutyFinding, ScoreAdjustment, Visit, VisitFinding


def visits_of(session: Session, agency_id: int, year_id: int) -> list[Visit]:
    """The agency's visits in the year, latest first, with their findings and targets."""
    return list(
        session.scalars(
            select(Visit)
            .where(Visit.agency_id == agency_id, Visit.year_id == year_id)
            .options(
                selectinload(Visit.findings).selectinload(VisitFinding.target),
                selectinload(Visit.recorded_by),
            )
            .order_by(Visit.visited_on.desc(), Visit.id.desc())
        )
    )


def effective_scores(session: Session, target_ids) -> dict[int, ScoreAdjustment]:
    """The adjustment in force per target: the latest one (ids grow with time)."""
    ids = list(target_ids)
    if not ids:
        return {}
    latest = (
        select(func.max(ScoreAdjustment.id))
        .where(ScoreAdjustment.target_id.in_(ids))
        .group_by(ScoreAdjustment.target_id)
    )
    rows = session.scalars(
        select(ScoreAdjustment)
        .where(ScoreAdjustment.id.in_(latest))
        .options(selectinload(ScoreAdjustment.adjusted_by))
    )
    return {row.target_id: row for row in rows}


def adjustment_history(session: Session, target_ids) -> dict[int, list[ScoreAdjustment]]:
    """Every adjustment per target, latest first (the first one is in force)."""
    ids = list(target_ids)
    history: dict[int, list[ScoreAdjustment]] = defaultdict(list)
    if not ids:
        return history
    rows = session.scalars(
        select(ScoreAdjustment)
        .where(ScoreAdjustment.target_id.in_(ids))
        .options(selectinload(ScoreAdjustment.adjusted_by))
        .order_by(ScoreAdjustment.id.desc())
    )
    for row in rows:
        history[row.target_id].append(row)
    return history


def duty_findings_of(session: Session, agency_id: int, year_id: int) -> list[DutyFinding]:
    return list(
        session.scalars(
            select(DutyFinding)
            .where(DutyFinding.agency_id == agency_id, DutyFinding.year_id == year_id)
            .options(selectinload(DutyFinding.recorded_by))
            .order_by(DutyFinding.id.desc())
        )
    )
