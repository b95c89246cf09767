"""Reading targets within what a user may see: the agency portal reads only its own agency's
(through ``g.agency``), the admin portal only agencies of the office's jurisdictions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survey.agencies.models import Agency
from survey.agencies.queries import scope_ids
from survey.evidence.models import EvidenceOwner
from survey.evidence.services import files_of
from survey.targets.models import (
    Completion,
    Target,
    TargetAdjustment,
    TargetSet,
)
from survey.years.models import AssessmentYear


def set_of(session: Session, agency_id: int, year_id: int) -> TargetSet | None:
    return session.scalar(
        select(TargetSet)
        .where(TargetSet.agency_id == agency_id, TargetSet.year_id == year_id)
        .options(selectinload(TargetSet.targets).selectinload(Target.assessment))
    )


def own_target_or_404(session: Session, agency: Agency, target_id: int) -> Target:
    """A target of ``agency``: another agency's id is simply not found (no existence leak)."""
    target = session.get(Target, target_id)
    if target is None or target.target_set.agency_id != agency.id:
        abort(404)
    return target


def target_in_scope_or_404(session: Session, user, target_id: int) -> Target:
    target = session.get(Target, target_id)
    if target is None or target.target_set.agency.jurisdiction_id not in scope_ids(session, user):
        abort(404)
    return target


def set_in_scope_or_404(session: Session, user, set_id: int) -> TargetSet:
    target_set = session.get(TargetSet, set_id)
    if target_set is None or target_set.agency.jurisdiction_id not in scope_ids(session, user):
        abort(404)
    return target_set


def adjustment_in_scope_or_404(session: Session, user, adjustment_id: int) -> TargetAdjustment:
    adjustment = session.get(TargetAdjustment, adjustment_id)
    if adjustment is None:
        abort(404)
    target_in_scope_or_404(session, user, adjustment.target_id)
    return adjustment


@dataclass(frozen=True)
class Flag:
    target: Target
    days: int  # days left (due soon) or days past the deadline (overdue)


@dataclass
class DeadlineFlags:
    due_soon: list[Flag]
    overdue: list[Flag]


def deadline_flags(targets, today: dt.date, due_soon_days: int) -> DeadlineFlags:
    """Approved, live targets not yet reported done, by their deadline against ``today``."""
    flags = DeadlineFlags([], [])
    for target in targets:
        if target.withdrawn_at is not None or target.deadline is None or is_done(target):
            continue
        left = (target.deadline - today).days
        if left < 0:
            flags.overdue.append(Flag(target, -left))
        elif left <= due_soon_days:
            flags.due_soon.append(Flag(target, left))
    flags.overdue.sort(key=lambda flag: -flag.days)
    flags.due_soon.sort(key=lambda flag: flag.days)
    return flags


def is_done(target: Target) -> bool:
    return target.assessment is not None and target.assessment.status is Completion.done


def due_soon_days(year: AssessmentYear) -> int:
    return year.settings["due_soon_days"]


@dataclass(frozen=True)
class TargetRecords:
    """What a target's page shows besides the target: evidence by ledger entry, the
    self-assessment's evidence, and every adjustment request in order."""

    entry_files: dict
    assessment_files: list
    adjustments: list[TargetAdjustment]


def target_records(session: Session, target: Target) -> TargetRecords:
    entry_files = files_of(session, EvidenceOwner.ledger_entry, [e.id for e in target.ledger])
    assessment_files = []
    if target.assessment is not None:
        assessment_id = target.assessment.id
        assessment_files = files_of(session, EvidenceOwner.self_assessment, [assessment_id])[
            assessment_id
        ]
    adjustments = session.scalars(
        select(TargetAdjustment)
        .where(TargetAdjustment.target_id == target.id)
        .order_by(TargetAdjustment.id)
    ).all()
    return TargetRecords(entry_files, assessment_files, list(adjustments))
