"""Imported public-indicator scores. Each import is one batch; a later batch's score for the same
agency and indicator supersedes the earlier one, which is kept (rows are never changed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.db import Base, UTCDateTime, utcnow


class IndicatorImport(Base):
    __tablename__ = "indicator_imports"
    __table_args__ = (
        UniqueConstraint("year_id", "file_sha256", name="uq_indicator_imports_year_file"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    file_sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int]
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<IndicatorImport {self.id} year={self.year_id} rows={self.row_count}>"


class PublicIndicatorScore(Base):
    __tablename__ = "public_indicator_scores"
    __table_args__ = (
        UniqueConstraint(
            "import_id", "agency_id", "indicator", name="uq_public_indicator_scores_row"
        ),
        CheckConstraint("score >= 0 AND score <= max_score", name="score_in_range"),
        CheckConstraint("max_score > 0", name="max_score_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("indicator_imports.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    indicator: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(100))  # the assessment body (考核单位)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    max_score: Mapped[Decimal] = mapped_column(Numeric(6, 2))

    agency: Mapped[Agency] = relationship()

    def __repr__(self) -> str:
        return f"<PublicIndicatorScore {self.id} {self.indicator} {self.score}>"
