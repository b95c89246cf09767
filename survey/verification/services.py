"""Recording what the 编办 found on site: visits with findings per target, adjusted scores
and duty findings. Every row is a record (append-only), so every rule is checked before the
first row is added; services flush and audit, the view commits."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.auditing import record
from survey.clock import beijing_today
from survey.errors import DomainError
from survey.targets.models import Target
from survey.targets.queries import set_of
from survey.verification.models import (
    DutyFinding,
    FindingKind,
    Method,
    ScoreAdjustment,
    Severity,
    Visit,
    VisitFinding,
)
from survey.years.models import AssessmentYear

logger = logging.getLogger(__name__)

ONE_DECIMAL = Decimal("0.1")


def _check_year(agency: Agency, year: AssessmentYear) -> None:
    if year.jurisdiction_id != agency.jurisdiction_id:
        raise DomainError(_l("This year belongs to another jurisdiction."))
    if not year.is_editable:
        raise DomainError(_l("The year is closed; its verification records can no longer change."))


def _check_visit(visit: Visit | None, agency: Agency, year: AssessmentYear) -> None:
    if visit is not None and (visit.agency_id != agency.id or visit.year_id != year.id):
        raise DomainError(_l("The visit belongs to another agency or year."))


def _methods(methods) -> list[str]:
    values: list[str] = []
    for method in methods or ():
        try:
            value = Method(method).value
        except ValueError as exc:
            raise DomainError(_l("Unknown verification method.")) from exc
        if value not in values:
            values.append(value)
    if not values:
        raise DomainError(_l("Choose at least one verification method."))
    return values


def _findings(session: Session, agency: Agency, year: AssessmentYear, findings) -> dict:
    """The non-blank findings by target id; each target must be live in the agency's set."""
    texts = {int(target_id): text.strip() for target_id, text in (findings or {}).items()}
    texts = {target_id: text for target_id, text in texts.items() if text}
    target_set = set_of(session, agency.id, year.id)
    live = {target.id for target in target_set.live_targets} if target_set else set()
    if set(texts) - live:
        raise DomainError(_l("Findings can only be recorded for this agency's current targets."))
    return texts


def record_visit(
    session: Session,
    actor,
    agency: Agency,
    year: AssessmentYear,
    *,
    visited_on: dt.date,
    people: str,
    methods,
    summary: str = "",
    findings: dict[int, str] | None = None,
    today: dt.date | None = None,
) -> Visit:
    _check_year(agency, year)
    today = today or beijing_today()
    if visited_on is None or visited_on.year != year.year:
        raise DomainError(_l("The visit date must fall within %(year)d.", year=year.year))
    if visited_on > today:
        raise DomainError(_l("The visit date cannot be in the future."))
    if not (people or "").strip():
        raise DomainError(_l("Name the people who took part in the visit."))
    values = _methods(methods)
    texts = _findings(session, agency, year, findings)
    visit = Visit(
        agency_id=agency.id,
        year_id=year.id,
        visited_on=visited_on,
        people=people.strip(),
        methods=values,
        summary=(summary or "").strip(),
        recorded_by_id=actor.id,
    )
    session.add(visit)
    for target_id, text in texts.items():
        session.add(VisitFinding(visit=visit, target_id=target_id, text=text))
    session.flush()
    record(
        session,
        actor,
        "visit.record",
        visit,
        jurisdiction_id=agency.jurisdiction_id,
        after={
            "agency_id": agency.id,
            "year": year.year,
            "visited_on": visited_on,
            "people": visit.people,
            "methods": values,
            "summary": visit.summary,
            "findings": [{"target_id": tid, "text": text} for tid, text in texts.items()],
        },
    )
    logger.info("%s recorded visit %s to agency %s", actor.username, visit.id, agency.id)
    return visit


def _score(value, maximum) -> Decimal:
    try:
        score = Decimal(value)
    except (TypeError, ArithmeticError) as exc:
        raise DomainError(_l("Enter the adjusted score as a number.")) from exc
    if not score.is_finite() or score < 0 or score > Decimal(maximum):
        raise DomainError(_l("The score must be between 0 and %(max)s.", max=maximum))
    if score != score.quantize(ONE_DECIMAL):
        raise DomainError(_l("Give the score with at most one decimal place."))
    return score.quantize(ONE_DECIMAL)


def adjust_score(
    session: Session,
    actor,
    target: Target,
    *,
    adjusted_score,
    reason: str,
    visit: Visit | None = None,
) -> ScoreAdjustment:
    """Record the supervisor's score; the self-assessment keeps its own score untouched."""
    target_set = target.target_set
    agency, year = target_set.agency, target_set.year
    _check_year(agency, year)
    _check_visit(visit, agency, year)
    if target.withdrawn_at is not None:
        raise DomainError(_l("A withdrawn target has no score to adjust."))
    # Only a submitted (locked) self-assessment: an open one could still change under us.
    if target.assessment is None or not target_set.assessment_submitted:
        raise DomainError(_l("The score can be adjusted once the self-assessment is submitted."))
    if not (reason or "").strip():
        raise DomainError(_l("Give the reason for the adjustment."))
    score = _score(adjusted_score, year.settings["self_score_max"])
    adjustment = ScoreAdjustment(
        target_id=target.id,
        visit_id=visit.id if visit is not None else None,
        original_score=target.assessment.self_score,
        adjusted_score=score,
        reason=reason.strip(),
        adjusted_by_id=actor.id,
    )
    session.add(adjustment)
    record(
        session,
        actor,
        "score.adjust",
        adjustment,
        jurisdiction_id=agency.jurisdiction_id,
        after={
            "target_id": target.id,
            "visit_id": adjustment.visit_id,
            "original_score": str(adjustment.original_score),
            "adjusted_score": str(score),
            "reason": adjustment.reason,
        },
    )
    logger.info("%s adjusted the score of target %s to %s", actor.username, target.id, score)
    return adjustment


def record_duty_finding(
    session: Session,
    actor,
    agency: Agency,
    year: AssessmentYear,
    *,
    kind,
    severity,
    description: str,
    visit: Visit | None = None,
) -> DutyFinding:
    _check_year(agency, year)
    _check_visit(visit, agency, year)
    try:
        kind, severity = FindingKind(kind), Severity(severity)
    except ValueError as exc:
        raise DomainError(_l("Choose the kind and the severity of the finding.")) from exc
    if not (description or "").strip():
        raise DomainError(_l("Describe the finding."))
    finding = DutyFinding(
        agency_id=agency.id,
        year_id=year.id,
        visit_id=visit.id if visit is not None else None,
        kind=kind,
        severity=severity,
        description=description.strip(),
        recorded_by_id=actor.id,
    )
    session.add(finding)
    record(
        session,
        actor,
        "duty_finding.record",
        finding,
        jurisdiction_id=agency.jurisdiction_id,
        after={
            "agency_id": agency.id,
            "year": year.year,
            "visit_id": finding.visit_id,
            "kind": kind,
            "severity": severity,
            "description": finding.description,
        },
    )
    logger.info("%s recorded a %s finding on agency %s", actor.username, kind.value, agency.id)
    return finding
