"""A target set per agency and year, its targets, adjustment requests, ledger entries and
self-assessments.

The set carries the workflow: draft → submitted (the leader signs off, 第十七条) → approved, or
returned with comments → revised → submitted again. An approved target changes only through an
adjustment request that the supervisor approves. Each editable row has a ``revision`` that
SQLAlchemy checks on every UPDATE, and forms carry it, so a stale form is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.agencies.models import Agency, Section
from survey.db import Base, UTCDateTime, utcnow
from survey.errors import DomainError
from survey.types import LabelledEnum, value_enum
from survey.years.models import AssessmentYear


class SetState(LabelledEnum):
    draft = ("draft", _l("Draft"))
    submitted = ("submitted", _l("Submitted for approval"))
    approved = ("approved", _l("Approved"))
    returned = ("returned", _l("Returned for revision"))


class Category(LabelledEnum):
    """The five categories of 职能重点指标 (第七条)."""

    party_government = ("party_government", _l("Key work of the Party committee and government"))
    core_duty = ("core_duty", _l("Core duties (主责主业)"))
    system_task = ("system_task", _l("Key tasks within the system"))
    coordination = ("coordination", _l("Coordination and cooperation"))
    other = ("other", _l("Other duties"))


class Duty(LabelledEnum):
    """The duty attribute of a target (职责属性)."""

    decision = ("decision", _l("Decision (决策)"))
    planning = ("planning", _l("Planning (计划)"))
    supervision = ("supervision", _l("Supervision (监督)"))
    approval = ("approval", _l("Approval (审批)"))
    enforcement = ("enforcement", _l("Enforcement (执法)"))
    service = ("service", _l("Service (服务)"))


class Oversight(LabelledEnum):
    key = ("key", _l("Key supervision by the Party committee and government"))
    internal = ("internal", _l("Internal supervision"))


class TargetSet(Base):
    __tablename__ = "target_sets"
    __table_args__ = (
        UniqueConstraint("agency_id", "year_id", name="uq_target_sets_agency_year"),
        CheckConstraint(
            "(state = 'draft' AND submitted_at IS NULL)"
            " OR (state <> 'draft' AND submitted_at IS NOT NULL AND submitted_by_id IS NOT NULL)",
            name="submission_matches_state",
        ),
        CheckConstraint(
            "state NOT IN ('approved', 'returned') OR reviewed_at IS NOT NULL",
            name="review_matches_state",
        ),
        CheckConstraint(
            "assessment_submitted_at IS NULL OR state = 'approved'",
            name="assessment_after_approval",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    state: Mapped[SetState] = mapped_column(
        value_enum(SetState, "target_set_state"), default=SetState.draft
    )
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    review_comment: Mapped[str] = mapped_column(Text, default="")
    assessment_submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    assessment_submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(default=1)

    agency: Mapped[Agency] = relationship()
    year: Mapped[AssessmentYear] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    assessment_submitted_by: Mapped[User | None] = relationship(
        foreign_keys=[assessment_submitted_by_id]
    )
    targets: Mapped[list[Target]] = relationship(back_populates="target_set", order_by="Target.id")

    __mapper_args__ = {"version_id_col": revision}

    @property
    def live_targets(self) -> list[Target]:
        return [target for target in self.targets if target.withdrawn_at is None]

    @property
    def is_editable(self) -> bool:
        """The agency may add, change and withdraw targets (before approval)."""
        return self.state in {SetState.draft, SetState.returned}

    @property
    def assessment_submitted(self) -> bool:
        return self.assessment_submitted_at is not None

    def submit(self, leader: User) -> None:
        if not self.is_editable:
            raise DomainError(_l("Only a draft or returned set of targets can be submitted."))
        self.state = SetState.submitted
        self.submitted_at = utcnow()
        self.submitted_by_id = leader.id

    def approve(self, supervisor: User, comment: str) -> None:
        self._review(supervisor, comment, SetState.approved)

    def return_for_revision(self, supervisor: User, comment: str) -> None:
        if not comment.strip():
            raise DomainError(_l("Say what must change: a returned set needs comments."))
        self._review(supervisor, comment, SetState.returned)

    def _review(self, supervisor: User, comment: str, state: SetState) -> None:
        if self.state is not SetState.submitted:
            raise DomainError(_l("Only a submitted set of targets can be approved or returned."))
        self.state = state
        self.reviewed_at = utcnow()
        self.reviewed_by_id = supervisor.id
        self.review_comment = comment.strip()

    def submit_assessment(self, leader: User) -> None:
        if self.state is not SetState.approved:
            raise DomainError(_l("Self-assessment starts once the targets are approved."))
        if self.assessment_submitted:
            raise DomainError(_l("The self-assessment has already been submitted."))
        self.assessment_submitted_at = utcnow()
        self.assessment_submitted_by_id = leader.id

    def __repr__(self) -> str:
        return f"<TargetSet {self.id} agency={self.agency_id} {self.state.value}>"


class Target(Base):
    """Only the title is needed for a draft; every field is checked at submission."""

    __tablename__ = "targets"
    __table_args__ = (CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("target_sets.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[Category | None] = mapped_column(value_enum(Category, "target_category"))
    duty: Mapped[Duty | None] = mapped_column(value_enum(Duty, "target_duty"))
    basis: Mapped[str] = mapped_column(Text, default="")
    standard: Mapped[str] = mapped_column(Text, default="")
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"), index=True)
    leader: Mapped[str] = mapped_column(String(50), default="")
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    expected_outcome: Mapped[str] = mapped_column(Text, default="")
    oversight: Mapped[Oversight | None] = mapped_column(value_enum(Oversight, "target_oversight"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revision: Mapped[int] = mapped_column(default=1)

    target_set: Mapped[TargetSet] = relationship(back_populates="targets")
    section: Mapped[Section | None] = relationship()
    ledger: Mapped[list[LedgerEntry]] = relationship(
        back_populates="target", order_by="(LedgerEntry.entry_date, LedgerEntry.id)"
    )
    assessment: Mapped[SelfAssessment | None] = relationship(back_populates="target")

    __mapper_args__ = {"version_id_col": revision}

    def __repr__(self) -> str:
        return f"<Target {self.id} {self.title[:20]}>"


class AdjustmentState(LabelledEnum):
    pending = ("pending", _l("Awaiting decision"))
    approved = ("approved", _l("Approved"))
    rejected = ("rejected", _l("Rejected"))


class TargetAdjustment(Base):
    """A request to change an approved target: the new values, the old ones, and the decision."""

    __tablename__ = "target_adjustments"
    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),
        CheckConstraint(
            "(state = 'pending' AND decided_at IS NULL)"
            " OR (state <> 'pending' AND decided_at IS NOT NULL AND decided_by_id IS NOT NULL)",
            name="decision_matches_state",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict] = mapped_column(JSON)
    before: Mapped[dict] = mapped_column(JSON)
    state: Mapped[AdjustmentState] = mapped_column(
        value_enum(AdjustmentState, "adjustment_state"), default=AdjustmentState.pending
    )
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_comment: Mapped[str] = mapped_column(Text, default="")

    target: Mapped[Target] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    def decide(self, supervisor: User, approve: bool, comment: str) -> None:
        if self.state is not AdjustmentState.pending:
            raise DomainError(_l("This adjustment request has already been decided."))
        self.state = AdjustmentState.approved if approve else AdjustmentState.rejected
        self.decided_by_id = supervisor.id
        self.decided_at = utcnow()
        self.decision_comment = comment.strip()

    def __repr__(self) -> str:
        return f"<TargetAdjustment {self.id} target={self.target_id} {self.state.value}>"


class LedgerEntry(Base):
    """One progress entry (台账). Append-only: a trigger refuses UPDATE and DELETE."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("percent BETWEEN 0 AND 100", name="percent_in_range"),
        CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), index=True)
    entry_date: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    percent: Mapped[int]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    target: Mapped[Target] = relationship(back_populates="ledger")
    created_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<LedgerEntry {self.id} target={self.target_id} {self.percent}%>"


class Completion(LabelledEnum):
    done = ("done", _l("Completed"))
    partly = ("partly", _l("Partly completed"))
    not_done = ("not_done", _l("Not completed"))


class SelfAssessment(Base):
    """The agency's own account of one target; locked when the leader submits the set's
    self-assessment. The supervisor's adjusted score is kept apart (verification), never here."""

    __tablename__ = "self_assessments"
    __table_args__ = (
        UniqueConstraint("target_id", name="uq_self_assessments_target"),
        CheckConstraint("self_score >= 0", name="self_score_not_negative"),
        CheckConstraint(
            "status <> 'done' OR completed_on IS NOT NULL", name="done_has_completion_date"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"))
    status: Mapped[Completion] = mapped_column(value_enum(Completion, "completion"))
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text)
    self_score: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(default=1)

    target: Mapped[Target] = relationship(back_populates="assessment")

    __mapper_args__ = {"version_id_col": revision}

    def __repr__(self) -> str:
        return f"<SelfAssessment {self.id} target={self.target_id} {self.self_score}>"
