"""Checking the source of a rectification item: the row it names must exist and concern the
agency (a scoring run: a run of the agency's jurisdiction that scored the agency)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.errors import DomainError
from survey.followup.models import SourceKind
from survey.followup.special import SpecialCase
from survey.scores.models import ScoringResult, ScoringRun
from survey.targets.models import Target
from survey.verification.models import DutyFinding


def check_source(session: Session, agency: Agency, kind: SourceKind, source_id):
    """The special-supervision case when the source is one; raises when the source is wrong."""
    if kind is SourceKind.manual:
        return None
    if not source_id:
        raise DomainError(_l("Give the number of the record the problem comes from."))
    if kind is SourceKind.on_site_finding:
        finding = session.get(DutyFinding, source_id)
        if finding is None or finding.agency_id != agency.id:
            raise DomainError(_l("No duty finding with that number concerns this agency."))
    elif kind is SourceKind.overdue_target:
        target = session.get(Target, source_id)
        if target is None or target.target_set.agency_id != agency.id:
            raise DomainError(_l("No target with that number belongs to this agency."))
    elif kind is SourceKind.special_supervision:
        case = session.get(SpecialCase, source_id)
        if case is None or agency not in case.agencies:
            raise DomainError(
                _l("No special-supervision case with that number concerns this agency.")
            )
        return case
    elif kind is SourceKind.scoring_run:
        run = session.get(ScoringRun, source_id)
        scored = run is not None and session.scalar(
            select(ScoringResult.id).where(
                ScoringResult.run_id == run.id, ScoringResult.agency_id == agency.id
            )
        )
        if not scored or run.year.jurisdiction_id != agency.jurisdiction_id:
            raise DomainError(_l("No scoring run with that number scored this agency."))
    return None
