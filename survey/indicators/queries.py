"""Reading a year's public-indicator scores and imports."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.indicators.models import IndicatorImport, PublicIndicatorScore
from survey.years.models import AssessmentYear


def live_agencies(session: Session, year: AssessmentYear) -> list[Agency]:
    return list(
        session.scalars(
            select(Agency)
            .where(Agency.jurisdiction_id == year.jurisdiction_id, Agency.deleted_at.is_(None))
            .order_by(Agency.id)
        )
    )


def current_scores(session: Session, year: AssessmentYear) -> list[PublicIndicatorScore]:
    """The effective score of each agency and indicator: the one of the latest import."""
    latest: dict[tuple[int, str], PublicIndicatorScore] = {}
    for score in session.scalars(
        select(PublicIndicatorScore)
        .where(PublicIndicatorScore.year_id == year.id)
        .order_by(PublicIndicatorScore.import_id.desc())
    ):
        latest.setdefault((score.agency_id, score.indicator), score)
    return sorted(latest.values(), key=lambda score: (score.agency_id, score.indicator))


def import_history(session: Session, year: AssessmentYear) -> list[IndicatorImport]:
    return list(
        session.scalars(
            select(IndicatorImport)
            .where(IndicatorImport.year_id == year.id)
            .order_by(IndicatorImport.id.desc())
        )
    )


def score_matrix(scores: list[PublicIndicatorScore]):
    """The indicators (sorted) and one row per agency: (agency, {indicator: score})."""
    indicators = sorted({score.indicator for score in scores})
    rows: dict[int, tuple[Agency, dict[str, PublicIndicatorScore]]] = {}
    for score in scores:
        rows.setdefault(score.agency_id, (score.agency, {}))[1][score.indicator] = score
    return indicators, list(rows.values())


def plain_number(value: Decimal) -> str:
    """92.50 as "92.5", 100.00 as "100"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
