"""A run shown to the people it concerns: its charts (drawn once), its publication to the
agencies, the agencies' objections (复核申请) and the supervisor's decisions.

Every table here is append-only (the database refuses UPDATE and DELETE): a run never changes,
so neither do its charts; a publication, an objection and its decision are records.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.db import Base, UTCDateTime, utcnow
from survey.scores.models import ScoringRun
from survey.types import LabelledEnum, value_enum


class RunRendering(Base):
    """Something drawn or condensed from a run, kept the first time a page asks for it: a
    chart's SVG, the ranking table, one agency's explanation (a run never changes, so neither
    does anything made from it)."""

    __tablename__ = "run_renderings"
    __table_args__ = (UniqueConstraint("run_id", "name", name="uq_run_renderings_run_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))  # "chart:caterpillar", "ranking", …
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RunPublication(Base):
    """A supervisor's publication of a run to the agencies of its year."""

    __tablename__ = "run_publications"
    __table_args__ = (UniqueConstraint("run_id", name="uq_run_publications_run"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id"))
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    run: Mapped[ScoringRun] = relationship()
    published_by: Mapped[User] = relationship()


class ObjectionSubject(LabelledEnum):
    """What part of its result an agency asks to have reviewed."""

    composite = ("composite", _l("Composite"))
    comprehensiveness = ("comprehensiveness", _l("Comprehensiveness (履职全面度)"))
    timeliness = ("timeliness", _l("Timeliness (履职时效度)"))
    effectiveness = ("effectiveness", _l("Effectiveness (履职成效度)"))
    cooperation = ("cooperation", _l("Cooperation (履职配合度)"))
    adjustment = ("adjustment", _l("Bonus and deduction items"))


class Objection(Base):
    """An agency leader's request for review (复核申请) of one part of a published result."""

    __tablename__ = "objections"
    __table_args__ = (CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    subject: Mapped[ObjectionSubject] = mapped_column(
        value_enum(ObjectionSubject, "objection_subject")
    )
    reason: Mapped[str] = mapped_column(Text)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    run: Mapped[ScoringRun] = relationship()
    agency: Mapped[Agency] = relationship()
    filed_by: Mapped[User] = relationship()
    decision: Mapped[ObjectionDecision | None] = relationship(
        back_populates="objection", uselist=False
    )


class Outcome(LabelledEnum):
    accepted = ("accepted", _l("Accepted: corrected in a new run"))
    rejected = ("rejected", _l("Not accepted"))


class ObjectionDecision(Base):
    """The supervisor's decision on an objection: accepted with the correction made (a 加减分
    item, a score adjustment, a flag decision; a new run follows) or rejected with a reason."""

    __tablename__ = "objection_decisions"
    __table_args__ = (
        UniqueConstraint("objection_id", name="uq_objection_decisions_objection"),
        CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"))
    outcome: Mapped[Outcome] = mapped_column(
        value_enum(Outcome, "objection_outcome"), default=Outcome.rejected
    )
    reason: Mapped[str] = mapped_column(Text)
    correction: Mapped[str] = mapped_column(String(300), default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    objection: Mapped[Objection] = relationship(back_populates="decision")
    decided_by: Mapped[User] = relationship()
