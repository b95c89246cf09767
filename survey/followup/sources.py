"""Checking the source of a rectification item: the row it names must exist and concern the
agency. A scoring run is named by its number only (the scoring feature is not on this branch
yet), so nothing is checked for it beyond the number."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.errors import DomainError
from survey.followup.models import SourceKind
from survey.followup.special import SpecialCase
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
    return None
