"""Target sets, targets, self-assessments and duty findings built directly with the models,
in whatever state a test needs (the services' workflow is tested with the targets)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from survey.agencies.models import Section
from survey.db import utcnow
from survey.targets.models import Category, Completion, SelfAssessment, SetState, Target, TargetSet
from survey.verification.models import DutyFinding, FindingKind, Severity


def target_set(db_session, world, agency, state=SetState.approved) -> TargetSet:
    now = utcnow()
    submitted = state is not SetState.draft
    reviewed = state in {SetState.approved, SetState.returned}
    created = TargetSet(
        agency_id=agency.id,
        year_id=world.year.id,
        state=state,
        submitted_at=now if submitted else None,
        submitted_by_id=world.supervisor.id if submitted else None,
        reviewed_at=now if reviewed else None,
        reviewed_by_id=world.supervisor.id if reviewed else None,
    )
    db_session.add(created)
    db_session.flush()
    return created


def section(agency, name: str) -> Section:
    return next(s for s in agency.sections if s.name == name)


def target(
    db_session,
    world,
    owner: TargetSet,
    title: str,
    *,
    deadline: dt.date | None = dt.date(2026, 6, 30),
    category: Category | None = Category.core_duty,
    section_id: int | None = None,
    withdrawn: bool = False,
    status: Completion | None = None,
    completed_on: dt.date | None = None,
) -> Target:
    created = Target(
        set_id=owner.id,
        title=title,
        category=category,
        section_id=section_id,
        deadline=deadline,
        withdrawn_at=utcnow() if withdrawn else None,
    )
    db_session.add(created)
    db_session.flush()
    if status is not None:
        db_session.add(
            SelfAssessment(
                target_id=created.id,
                status=status,
                completed_on=completed_on,
                outcome="…",
                self_score=Decimal("8.0"),
                updated_by_id=world.editor_a.id,
            )
        )
        db_session.flush()
    return created


def finding(
    db_session, world, agency, kind: FindingKind, severity: Severity, description: str
) -> DutyFinding:
    created = DutyFinding(
        agency_id=agency.id,
        year_id=world.year.id,
        kind=kind,
        severity=severity,
        description=description,
        recorded_by_id=world.supervisor.id,
    )
    db_session.add(created)
    db_session.flush()
    return created
