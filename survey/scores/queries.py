"""Reading a year's scoring runs and 加减分 items within the user's scope."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.agencies.queries import scope_ids
from survey.scores.models import ScoreItem, ScoringRun


def runs_of(session: Session, year_id: int) -> list[ScoringRun]:
    return list(
        session.scalars(
            select(ScoringRun)
            .where(ScoringRun.year_id == year_id)
            .order_by(ScoringRun.number.desc())
        )
    )


def run_or_404(session: Session, user, run_id: int) -> ScoringRun:
    """The run if its year belongs to the user's scope; 404 otherwise."""
    run = session.get(ScoringRun, run_id)
    if run is None or run.year.jurisdiction_id not in scope_ids(session, user):
        abort(404)
    return run


def previous_run(session: Session, run: ScoringRun) -> ScoringRun | None:
    return session.scalar(
        select(ScoringRun)
        .where(ScoringRun.year_id == run.year_id, ScoringRun.number < run.number)
        .order_by(ScoringRun.number.desc())
        .limit(1)
    )


def items_of(session: Session, year_id: int) -> list[ScoreItem]:
    return list(
        session.scalars(
            select(ScoreItem).where(ScoreItem.year_id == year_id).order_by(ScoreItem.id)
        )
    )


def item_or_404(session: Session, user, item_id: int) -> ScoreItem:
    item = session.get(ScoreItem, item_id)
    if item is None or item.agency.jurisdiction_id not in scope_ids(session, user):
        abort(404)
    return item
