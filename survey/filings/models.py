"""One filing per agency, year and kind. Drafted by the editor, submitted (signed off) by the
leader, then locked. Summaries are accepted only within the window the year configures."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.db import Base, UTCDateTime, utcnow
from survey.errors import DomainError
from survey.types import LabelledEnum, value_enum
from survey.years.models import AssessmentYear


class FilingKind(LabelledEnum):
    work_plan = ("work_plan", _l("Work plan (工作要点)"))
    half_year = ("half_year", _l("Half-year summary (半年总结)"))
    year_end = ("year_end", _l("Year-end summary (年终总结)"))


class Filing(Base):
    __tablename__ = "filings"
    __table_args__ = (
        UniqueConstraint("agency_id", "year_id", "kind", name="uq_filings_agency_year_kind"),
        CheckConstraint(
            "(submitted_at IS NULL AND submitted_by_id IS NULL)"
            " OR (submitted_at IS NOT NULL AND submitted_by_id IS NOT NULL)",
            name="submission_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("assessment_years.id"), index=True)
    kind: Mapped[FilingKind] = mapped_column(value_enum(FilingKind, "filing_kind"))
    text: Mapped[str] = mapped_column(Text, default="")
    # 专项业务计划: only the work plan has them.
    special_plans: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revision: Mapped[int] = mapped_column(default=1)

    agency: Mapped[Agency] = relationship()
    year: Mapped[AssessmentYear] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])

    __mapper_args__ = {"version_id_col": revision}

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def submit(self, leader: User) -> None:
        if self.is_submitted:
            raise DomainError(_l("This filing has already been submitted."))
        if not self.text.strip():
            raise DomainError(_l("Write the text before submitting."))
        self.submitted_at = utcnow()
        self.submitted_by_id = leader.id

    def __repr__(self) -> str:
        return f"<Filing {self.id} {self.kind.value} agency={self.agency_id}>"
