"""The supervisor's overview of a year: per agency, the set's state, targets by where they
stand, overdue and due-soon counts, pending adjustment requests and the latest activity."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from survey.agencies.models import Agency
from survey.targets.models import (
    AdjustmentState,
    Completion,
    LedgerEntry,
    SetState,
    Target,
    TargetAdjustment,
    TargetSet,
)
from survey.targets.queries import deadline_flags
from survey.years.models import AssessmentYear


@dataclass
class AgencyRow:
    agency: Agency
    target_set: TargetSet | None
    targets: int = 0
    done: int = 0
    overdue: int = 0
    due_soon: int = 0
    pending_adjustments: int = 0
    latest: dt.datetime | dt.date | None = None
    categories: set = field(default_factory=set)


def year_overview(
    session: Session,
    year: AssessmentYear,
    *,
    today: dt.date,
    due_soon_days: int,
    kind=None,
    category=None,
) -> list[AgencyRow]:
    agencies = session.scalars(
        select(Agency)
        .where(Agency.jurisdiction_id == year.jurisdiction_id, Agency.deleted_at.is_(None))
        .order_by(Agency.id)
    ).all()
    if kind is not None:
        agencies = [agency for agency in agencies if agency.kind is kind]
    sets = {
        s.agency_id: s
        for s in session.scalars(
            select(TargetSet)
            .where(TargetSet.year_id == year.id)
            .options(selectinload(TargetSet.targets).selectinload(Target.assessment))
        )
    }
    target_ids = [t.id for s in sets.values() for t in s.live_targets]
    latest_entries = (
        dict(
            session.execute(
                select(LedgerEntry.target_id, func.max(LedgerEntry.created_at))
                .where(LedgerEntry.target_id.in_(target_ids))
                .group_by(LedgerEntry.target_id)
            ).all()
        )
        if target_ids
        else {}
    )
    pending = (
        dict(
            session.execute(
                select(Target.set_id, func.count(TargetAdjustment.id))
                .join(Target, Target.id == TargetAdjustment.target_id)
                .where(
                    TargetAdjustment.state == AdjustmentState.pending,
                    Target.set_id.in_([s.id for s in sets.values()]),
                )
                .group_by(Target.set_id)
            ).all()
        )
        if sets
        else {}
    )
    rows = []
    for agency in agencies:
        target_set = sets.get(agency.id)
        row = AgencyRow(agency, target_set)
        if target_set is not None:
            targets = target_set.live_targets
            if category is not None:
                targets = [t for t in targets if t.category is category]
                if not targets:
                    continue
            row.targets = len(targets)
            row.done = sum(
                1 for t in targets if t.assessment and t.assessment.status is Completion.done
            )
            if target_set.state is SetState.approved:
                flags = deadline_flags(targets, today, due_soon_days)
                row.overdue, row.due_soon = len(flags.overdue), len(flags.due_soon)
            row.pending_adjustments = pending.get(target_set.id, 0)
            instants = [target_set.created_at, target_set.submitted_at, target_set.reviewed_at]
            instants += [t.updated_at for t in targets]
            instants += [latest_entries[t.id] for t in targets if t.id in latest_entries]
            row.latest = max(i for i in instants if i is not None)
        elif category is not None:
            continue
        rows.append(row)
    # What needs the supervisor first: overdue work, then waiting requests, then the rest;
    # agencies that have not started come last.
    rows.sort(key=lambda r: (r.target_set is None, -r.overdue, -r.pending_adjustments, r.agency.id))
    return rows
