"""The year's work on approved targets: progress ledger entries (台账) with evidence, and the
self-assessment (机关自评) per target, signed off as a whole by the leader."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.auditing import audited, record
from survey.db import utcnow
from survey.errors import DomainError, check_revision
from survey.evidence.models import EvidenceOwner
from survey.evidence.services import attach
from survey.targets.models import (
    Completion,
    LedgerEntry,
    SelfAssessment,
    SetState,
    Target,
    TargetSet,
)
from survey.targets.services import claim_set

ASSESSMENT_FIELDS = ("status", "completed_on", "outcome", "self_score")


def _require_approved(target: Target) -> None:
    if target.target_set.state is not SetState.approved or target.withdrawn_at is not None:
        raise DomainError(_l("Progress and self-assessment are recorded on approved targets."))


def _check_day(day: dt.date, year: int, today: dt.date, what) -> None:
    if day > today:
        raise DomainError(_l("%(what)s cannot be in the future.", what=what))
    if day.year != year:
        raise DomainError(_l("%(what)s must fall within %(year)d.", what=what, year=year))


def add_ledger_entry(
    session: Session,
    actor: User,
    target: Target,
    *,
    entry_date: dt.date,
    text: str,
    percent: int,
    files: list[tuple[str, bytes]],
    today: dt.date,
) -> LedgerEntry:
    _require_approved(target)
    target_set = target.target_set
    target_set.year.require_editable()
    _check_day(entry_date, target_set.year.year, today, _l("The entry's date"))
    if not text.strip():
        raise DomainError(_l("Describe the progress."))
    if not 0 <= percent <= 100:
        raise DomainError(_l("Progress is a percentage from 0 to 100."))
    entry = LedgerEntry(
        target_id=target.id,
        entry_date=entry_date,
        text=text.strip(),
        percent=percent,
        created_by_id=actor.id,
    )
    session.add(entry)
    session.flush()
    stored = attach(session, actor, target_set.agency, EvidenceOwner.ledger_entry, entry.id, files)
    record(
        session,
        actor,
        "ledger.add",
        entry,
        jurisdiction_id=target_set.agency.jurisdiction_id,
        after={
            "target_id": target.id,
            "entry_date": entry_date,
            "percent": percent,
            "files": [f.filename for f in stored],
        },
    )
    return entry


def save_assessment(
    session: Session,
    actor: User,
    target: Target,
    *,
    status: Completion,
    completed_on: dt.date | None,
    outcome: str,
    self_score: Decimal,
    files: list[tuple[str, bytes]],
    revision: int | None,
    today: dt.date,
) -> SelfAssessment:
    _require_approved(target)
    target_set = target.target_set
    target_set.year.require_editable()
    if target_set.assessment_submitted:
        raise DomainError(_l("The self-assessment has been submitted and is locked."))
    maximum = target_set.year.settings["self_score_max"]
    if not 0 <= self_score <= maximum:
        raise DomainError(_l("The self-score must be between 0 and %(max)d.", max=maximum))
    if status is Completion.done and completed_on is None:
        raise DomainError(_l("Give the date the target was completed."))
    if status is not Completion.done:
        completed_on = None
    if completed_on is not None:
        _check_day(completed_on, target_set.year.year, today, _l("The completion date"))
    if not outcome.strip():
        raise DomainError(_l("Describe the outcome."))
    values = {
        "status": status,
        "completed_on": completed_on,
        "outcome": outcome.strip(),
        "self_score": self_score,
    }
    assessment = target.assessment
    jurisdiction_id = target_set.agency.jurisdiction_id
    claim_set(session, target_set, editable=False)
    if assessment is None:
        assessment = SelfAssessment(target=target, updated_by_id=actor.id, **values)
        session.add(assessment)
        session.flush()
        record(
            session,
            actor,
            "assessment.create",
            assessment,
            jurisdiction_id=jurisdiction_id,
            after={"target_id": target.id, **values},
        )
    else:
        check_revision(assessment, revision)
        with audited(
            session,
            actor,
            "assessment.update",
            assessment,
            ASSESSMENT_FIELDS,
            jurisdiction_id=jurisdiction_id,
        ):
            for name, value in values.items():
                setattr(assessment, name, value)
            assessment.updated_by_id = actor.id
            assessment.updated_at = utcnow()
            session.flush()
    attach(session, actor, target_set.agency, EvidenceOwner.self_assessment, assessment.id, files)
    return assessment


def submit_assessment(
    session: Session, leader: User, target_set: TargetSet, revision: int | None
) -> None:
    leader.require_leader()
    target_set.year.require_editable()
    check_revision(target_set, revision)
    missing = [t.title for t in target_set.live_targets if t.assessment is None]
    if missing:
        raise DomainError(
            _l(
                "Every target needs its self-assessment first; missing: %(titles)s.",
                titles="、".join(missing),
            )
        )
    target_set.submit_assessment(leader)
    session.flush()
    record(
        session,
        leader,
        "assessment.submit",
        target_set,
        jurisdiction_id=target_set.agency.jurisdiction_id,
        after={"targets": len(target_set.live_targets)},
    )
