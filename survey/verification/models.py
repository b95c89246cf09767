"""Visits, their findings per target, adjusted self-scores and duty findings.

All four are records of what the supervisor found: append-only (a trigger refuses UPDATE and
DELETE). A later adjustment supersedes an earlier one; the self-score itself never changes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Numeric, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.db import Base, UTCDateTime, utcnow
from survey.targets.models import Target
from survey.types import LabelledEnum, value_enum


class Method(LabelledEnum):
    briefing = ("briefing", _l("Hearing a briefing (听取介绍)"))
    documents = ("documents", _l("Reviewing documents (查阅资料)"))
    observation = ("observation", _l("Observation and questions (观摩问询)"))
    forum = ("forum", _l("Survey forum (调研座谈)"))


class Visit(Base):
    __tablename__ = "verification_visits"
    __table_args__ = (CheckConstraint("length(trim(people)) > 0", name="people_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    visited_on: Mapped[dt.date] = mapped_column(Date)
    people: Mapped[str] = mapped_column(Text)
    methods: Mapped[list] = mapped_column(JSON)  # Method values, at least one
    summary: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
    recorded_by: Mapped[User] = relationship()
    findings: Mapped[list[VisitFinding]] = relationship(
        back_populates="visit", order_by="VisitFinding.id"
    )

    @property
    def method_labels(self) -> list[str]:
        return [Method(value).label for value in self.methods]

    def __repr__(self) -> str:
        return f"<Visit {self.id} agency={self.agency_id} {self.visited_on}>"


class VisitFinding(Base):
    __tablename__ = "visit_findings"
    __table_args__ = (CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("verification_visits.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), index=True)
    text: Mapped[str] = mapped_column(Text)

    visit: Mapped[Visit] = relationship(back_populates="findings")
    target: Mapped[Target] = relationship()

    def __repr__(self) -> str:
        return f"<VisitFinding {self.id} target={self.target_id}>"


class ScoreAdjustment(Base):
    """The supervisor's score for a target, with the self-score it replaced and the reason."""

    __tablename__ = "score_adjustments"
    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),
        CheckConstraint("adjusted_score >= 0", name="adjusted_score_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("verification_visits.id"))
    original_score: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    adjusted_score: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    reason: Mapped[str] = mapped_column(Text)
    adjusted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    adjusted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    target: Mapped[Target] = relationship()
    adjusted_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ScoreAdjustment {self.id} target={self.target_id} {self.adjusted_score}>"


class FindingKind(LabelledEnum):
    overreach = ("overreach", _l("Overreach (越位)"))
    absence = ("absence", _l("Absence (缺位)"))
    misplacement = ("misplacement", _l("Misplacement (错位)"))


class Severity(LabelledEnum):
    minor = ("minor", _l("Minor"))
    moderate = ("moderate", _l("Moderate"))
    serious = ("serious", _l("Serious"))


class DutyFinding(Base):
    __tablename__ = "duty_findings"
    __table_args__ = (CheckConstraint("length(trim(description)) > 0", name="description_set"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("verification_visits.id"))
    kind: Mapped[FindingKind] = mapped_column(value_enum(FindingKind, "finding_kind"))
    severity: Mapped[Severity] = mapped_column(value_enum(Severity, "finding_severity"))
    description: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
    recorded_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<DutyFinding {self.id} {self.kind.value} agency={self.agency_id}>"
