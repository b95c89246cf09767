"""Scoring runs, their per-agency results, final marks, and 加减分 items.

A run is computed once and never changes (the database refuses UPDATE and DELETE): computing
again makes a new run. A supervisor marks a run final with a row of its own; the year's final
run is the latest one so marked. 加减分 items are records too: an item is cancelled by a
reversal, a second row pointing at it, never by editing or deleting it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.db import Base, UTCDateTime, utcnow
from survey.years.models import AssessmentYear

DIMENSIONS = ("comprehensiveness", "timeliness", "effectiveness", "cooperation")


class ScoringRun(Base):
    """One computation of a year's scores, with everything needed to explain and repeat it."""

    __tablename__ = "scoring_runs"
    __table_args__ = (
        UniqueConstraint("year_id", "number", name="uq_scoring_runs_year_number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("length(input_checksum) = 64", name="input_checksum_length"),
        CheckConstraint("length(result_checksum) = 64", name="result_checksum_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    number: Mapped[int]  # 1, 2, … within the year
    as_of: Mapped[dt.date] = mapped_column(Date)  # the day deadlines were judged against
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    engine_version: Mapped[str] = mapped_column(String(40))
    # The exact EvaluationConfig JSON given to analysis.evaluate, and the year's standards.
    configuration: Mapped[str] = mapped_column(Text)
    standards: Mapped[dict] = mapped_column(JSON)
    input_counts: Mapped[dict] = mapped_column(JSON)
    source_checksums: Mapped[dict] = mapped_column(JSON)
    input_checksum: Mapped[str] = mapped_column(String(64))
    result_checksum: Mapped[str] = mapped_column(String(64))
    # Every table, the explanations and the quality report (canonical JSON text).
    results: Mapped[str] = mapped_column(Text, deferred=True)  # large: read when asked for

    year: Mapped[AssessmentYear] = relationship()
    created_by: Mapped[User | None] = relationship()
    agency_results: Mapped[list[ScoringResult]] = relationship(
        back_populates="run", order_by="ScoringResult.id"
    )

    def result_data(self) -> dict:
        return json.loads(self.results)

    def __repr__(self) -> str:
        return f"<ScoringRun {self.id} year={self.year_id} #{self.number}>"


class ScoringResult(Base):
    """One agency's headline figures in a run (the run's JSON holds the whole explanation)."""

    __tablename__ = "scoring_results"
    __table_args__ = (
        UniqueConstraint("run_id", "agency_id", name="uq_scoring_results_run_agency"),
        CheckConstraint("rank IS NULL OR ranked", name="rank_only_when_ranked"),
        CheckConstraint("band IS NULL OR ranked", name="band_only_when_ranked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    comprehensiveness: Mapped[float | None] = mapped_column(Float)
    timeliness: Mapped[float | None] = mapped_column(Float)
    effectiveness: Mapped[float | None] = mapped_column(Float)
    cooperation: Mapped[float | None] = mapped_column(Float)
    adjustment: Mapped[float] = mapped_column(Float, default=0.0)
    composite: Mapped[float | None] = mapped_column(Float)
    composite_low: Mapped[float | None] = mapped_column(Float)
    composite_high: Mapped[float | None] = mapped_column(Float)
    ranked: Mapped[bool]
    rank: Mapped[int | None]
    rank_low: Mapped[int | None]
    rank_high: Mapped[int | None]
    band: Mapped[str | None] = mapped_column(String(20))
    borderline: Mapped[bool] = mapped_column(default=False)
    # [{"dimension": …, "reason": …}] for every dimension the agency is not rated on.
    not_rated: Mapped[list] = mapped_column(JSON)

    run: Mapped[ScoringRun] = relationship(back_populates="agency_results")
    agency: Mapped[Agency] = relationship()

    def score(self, dimension: str) -> float | None:
        return getattr(self, dimension)

    def __repr__(self) -> str:
        return f"<ScoringResult run={self.run_id} agency={self.agency_id} {self.composite}>"


class RunFinalisation(Base):
    """A supervisor's mark that a run is the year's final result."""

    __tablename__ = "scoring_finals"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    finalised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    finalised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    run: Mapped[ScoringRun] = relationship()
    finalised_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<RunFinalisation run={self.run_id}>"


class ScoreItem(Base):
    """A bonus (加分) or deduction (减分) of an agency's composite, with its reason, the
    document it rests on and the approving supervisor; or the reversal of such an item."""

    __tablename__ = "score_items"
    __table_args__ = (
        CheckConstraint("points <> 0", name="points_not_zero"),
        CheckConstraint("points BETWEEN -20 AND 20", name="points_in_range"),
        CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),
        # An item is reversed at most once.
        UniqueConstraint("reverses_id", name="uq_score_items_reverses"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    points: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    reason: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(String(200), default="")  # document, e.g. 枣政发〔2026〕3号
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("score_items.id"))

    agency: Mapped[Agency] = relationship()
    approved_by: Mapped[User] = relationship()
    reverses: Mapped[ScoreItem | None] = relationship(remote_side=[id])

    @property
    def is_bonus(self) -> bool:
        return self.points > 0

    def __repr__(self) -> str:
        return f"<ScoreItem {self.id} agency={self.agency_id} {self.points}>"
