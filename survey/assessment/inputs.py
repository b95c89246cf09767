"""The inputs of two dimensions, per agency and year, as plain tables for the scoring module.

- 履职时效度 (timeliness): was each approved target done by its deadline?
- 履职全面度 (comprehensiveness): do an agency's targets cover the five categories of 职能重点指标
  and every business section, and what duty findings (越位/缺位/错位) did the supervisor record?

Rows are frozen dataclasses of plain values and enums: no ORM object leaves this module, so
scoring can be written and tested on its own. Each function reads the year in a few queries.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency, Section
from survey.targets.models import Category, Completion, SelfAssessment, SetState, Target, TargetSet
from survey.verification.models import DutyFinding, FindingKind, Severity
from survey.years.models import AssessmentYear

ON_TIME, LATE, NOT_DONE, OPEN = "on_time", "late", "not_done", "open"
OUTCOMES = (ON_TIME, LATE, NOT_DONE, OPEN)


@dataclass(frozen=True)
class TimelinessRow:
    agency_id: int
    agency_name: str
    target_id: int
    title: str
    deadline: dt.date | None
    completed_on: dt.date | None  # only when the self-assessment says done
    outcome: str  # one of OUTCOMES
    days_late: int
    category: Category | None = None


@dataclass(frozen=True)
class TimelinessCount:
    agency_id: int
    agency_name: str
    on_time: int
    late: int
    not_done: int
    open: int

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.not_done + self.open


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    severity: Severity
    description: str


@dataclass(frozen=True)
class ComprehensivenessRow:
    agency_id: int
    agency_name: str
    set_state: SetState  # coverage counts the set's live targets whatever its state
    target_count: int
    categories_covered: frozenset[Category]
    categories_missing: frozenset[Category]
    business_sections_covered: tuple[str, ...]  # names, in section order
    business_sections_missing: tuple[str, ...]
    findings_by_kind: dict[FindingKind, int]  # every kind, 0 when none
    findings_by_severity: dict[Severity, int]  # every severity, 0 when none
    findings: tuple[Finding, ...]  # in the order recorded


def classify(
    deadline: dt.date | None, completed_on: dt.date | None, today: dt.date
) -> tuple[str, int]:
    """The outcome of one target and its days late. ``completed_on`` is the completion date
    when the self-assessment says done (partly done counts as not done), else None.

    - done on or before the deadline: ``on_time``, 0 days
    - done after the deadline: ``late``, completed_on − deadline days
    - not done and the deadline has passed (deadline < today): ``not_done``, today − deadline
    - not done and the deadline is today or later: ``open``, 0 days
    - no deadline (only drafts lack one; an approved set was checked at submission): nothing
      can be missed, so done is ``on_time`` and not done is ``open``
    """
    if completed_on is not None:
        if deadline is not None and completed_on > deadline:
            return LATE, (completed_on - deadline).days
        return ON_TIME, 0
    if deadline is not None and deadline < today:
        return NOT_DONE, (today - deadline).days
    return OPEN, 0


def timeliness_rows(
    session: Session,
    year: AssessmentYear,
    *,
    today: dt.date,
    agency_ids: Iterable[int] | None = None,
) -> list[TimelinessRow]:
    """One row per live (not withdrawn) target of the year's approved target sets, by agency
    then deadline; outcome and days late as ``classify`` decides them against ``today``
    (the Beijing date). Targets of draft, submitted or returned sets are not yet commitments
    and are left out. One query."""
    statement = (
        select(
            TargetSet.agency_id,
            Agency.name,
            Target.id,
            Target.title,
            Target.deadline,
            SelfAssessment.status,
            SelfAssessment.completed_on,
            Target.category,
        )
        .join(TargetSet, Target.set_id == TargetSet.id)
        .join(Agency, TargetSet.agency_id == Agency.id)
        .outerjoin(SelfAssessment, SelfAssessment.target_id == Target.id)
        .where(
            TargetSet.year_id == year.id,
            TargetSet.state == SetState.approved,
            Target.withdrawn_at.is_(None),
        )
        .order_by(TargetSet.agency_id, Target.deadline, Target.id)
    )
    if agency_ids is not None:
        statement = statement.where(TargetSet.agency_id.in_(list(agency_ids)))
    rows = []
    for row in session.execute(statement):
        agency_id, name, target_id, title, deadline, status, completed_on, category = row
        done_on = completed_on if status is Completion.done else None
        outcome, days_late = classify(deadline, done_on, today)
        rows.append(
            TimelinessRow(
                agency_id, name, target_id, title, deadline, done_on, outcome, days_late, category
            )
        )
    return rows


def timeliness_counts(rows: Iterable[TimelinessRow]) -> list[TimelinessCount]:
    """Per agency (in the rows' order), how many targets ended in each outcome."""
    names: dict[int, str] = {}
    tallies: dict[int, Counter] = defaultdict(Counter)
    for row in rows:
        names.setdefault(row.agency_id, row.agency_name)
        tallies[row.agency_id][row.outcome] += 1
    return [
        TimelinessCount(agency_id, name, *(tallies[agency_id][outcome] for outcome in OUTCOMES))
        for agency_id, name in names.items()
    ]


def comprehensiveness_rows(
    session: Session, year: AssessmentYear, agency_ids: Iterable[int] | None = None
) -> list[ComprehensivenessRow]:
    """One row per agency with a target set in the year (any state: an agency that never got
    its set approved still has gaps to show), by agency id. Coverage counts the set's live
    targets; business sections are the agency's live sections marked business; findings are
    the year's duty findings of the agency. Four queries."""
    sets = select(TargetSet.agency_id, Agency.name, TargetSet.state).join(
        Agency, TargetSet.agency_id == Agency.id
    )
    sets = sets.where(TargetSet.year_id == year.id).order_by(TargetSet.agency_id)
    if agency_ids is not None:
        sets = sets.where(TargetSet.agency_id.in_(list(agency_ids)))
    agencies = session.execute(sets).all()
    ids = [agency_id for agency_id, _, _ in agencies]
    if not ids:
        return []

    targets = session.execute(
        select(TargetSet.agency_id, Target.category, Target.section_id)
        .join(TargetSet, Target.set_id == TargetSet.id)
        .where(
            TargetSet.year_id == year.id,
            TargetSet.agency_id.in_(ids),
            Target.withdrawn_at.is_(None),
        )
    )
    counts: Counter = Counter()
    categories: dict[int, set[Category]] = defaultdict(set)
    sections_used: dict[int, set[int]] = defaultdict(set)
    for agency_id, category, section_id in targets:
        counts[agency_id] += 1
        if category is not None:
            categories[agency_id].add(category)
        if section_id is not None:
            sections_used[agency_id].add(section_id)

    business: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for agency_id, section_id, name in session.execute(
        select(Section.agency_id, Section.id, Section.name)
        .where(
            Section.agency_id.in_(ids),
            Section.is_business.is_(True),
            Section.deleted_at.is_(None),
        )
        .order_by(Section.id)
    ):
        business[agency_id].append((section_id, name))

    findings: dict[int, list[Finding]] = defaultdict(list)
    for agency_id, kind, severity, description in session.execute(
        select(
            DutyFinding.agency_id, DutyFinding.kind, DutyFinding.severity, DutyFinding.description
        )
        .where(DutyFinding.year_id == year.id, DutyFinding.agency_id.in_(ids))
        .order_by(DutyFinding.id)
    ):
        findings[agency_id].append(Finding(kind, severity, description))

    rows = []
    for agency_id, name, state in agencies:
        covered = frozenset(categories[agency_id])
        used = sections_used[agency_id]
        found = findings[agency_id]
        rows.append(
            ComprehensivenessRow(
                agency_id=agency_id,
                agency_name=name,
                set_state=state,
                target_count=counts[agency_id],
                categories_covered=covered,
                categories_missing=frozenset(Category) - covered,
                business_sections_covered=tuple(n for i, n in business[agency_id] if i in used),
                business_sections_missing=tuple(n for i, n in business[agency_id] if i not in used),
                findings_by_kind={k: sum(f.kind is k for f in found) for k in FindingKind},
                findings_by_severity={s: sum(f.severity is s for f in found) for s in Severity},
                findings=tuple(found),
            )
        )
    return rows
