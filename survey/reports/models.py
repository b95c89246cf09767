"""Built documents, the 意见建议 they carry, and the agencies' receipts. All three are records:
the database refuses UPDATE and DELETE. Writing the 意见建议 again adds a version; building again
adds a build; a build names its run, its advice version, its builder and its file's SHA-256,
and the bytes are kept under that hash, so a download years later is the same file."""

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
from survey.years.models import AssessmentYear

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"


class ReportAdvice(Base):
    """One version of the year's 意见建议 (四、意见建议), as the supervisor wrote it."""

    __tablename__ = "report_advice"
    __table_args__ = (CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: command line
    written_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    written_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ReportAdvice {self.id} year={self.year_id}>"


class BuildKind(LabelledEnum):
    supervision = ("supervision", _l("Supervision report"))
    feedback = ("feedback", _l("Feedback sheet"))
    feedback_all = ("feedback_all", _l("All feedback sheets (one document)"))
    feedback_zip = ("feedback_zip", _l("All feedback sheets (zip of files)"))


class ReportBuild(Base):
    __tablename__ = "report_builds"
    __table_args__ = (
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint(
            "(kind = 'supervision') = (advice_id IS NOT NULL)", name="advice_only_in_report"
        ),
        CheckConstraint(
            "(kind = 'feedback') = (agency_id IS NOT NULL)", name="agency_only_in_sheet"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id"), index=True)
    kind: Mapped[BuildKind] = mapped_column(value_enum(BuildKind, "report_kind"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    advice_id: Mapped[int | None] = mapped_column(ForeignKey("report_advice.id"))
    # Built from a run not (yet) marked final: the document says 征求意见稿.
    draft: Mapped[bool]
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    built_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: command line
    built_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    year: Mapped[AssessmentYear] = relationship()
    run: Mapped[ScoringRun] = relationship()
    agency: Mapped[Agency | None] = relationship()
    advice: Mapped[ReportAdvice | None] = relationship()
    built_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ReportBuild {self.id} {self.kind.value} run={self.run_id}>"


class FeedbackReceipt(Base):
    """An agency's 签收 of its feedback sheet: once per sheet, with who and when."""

    __tablename__ = "feedback_receipts"
    __table_args__ = (UniqueConstraint("build_id", name="uq_feedback_receipts_build"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    build_id: Mapped[int] = mapped_column(ForeignKey("report_builds.id"))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    acknowledged_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    build: Mapped[ReportBuild] = relationship()
    acknowledged_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<FeedbackReceipt build={self.build_id}>"
