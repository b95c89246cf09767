"""The assessment year: one per jurisdiction and year, with its configuration."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.agencies.models import Jurisdiction
from survey.db import Base, UTCDateTime, utcnow
from survey.errors import DomainError
from survey.types import LabelledEnum, unique_where, value_enum
from survey.years.config import with_defaults


class YearState(LabelledEnum):
    draft = ("draft", _l("Draft"))
    open = ("open", _l("Open"))
    closed = ("closed", _l("Closed"))


class AssessmentYear(Base):
    """Draft → open → closed. A closed year and its configuration never change again."""

    __tablename__ = "assessment_years"
    __table_args__ = (
        UniqueConstraint("jurisdiction_id", "year", name="uq_assessment_years_jurisdiction_year"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_in_range"),
        CheckConstraint(
            "(state = 'draft' AND opened_at IS NULL AND closed_at IS NULL)"
            " OR (state = 'open' AND opened_at IS NOT NULL AND closed_at IS NULL)"
            " OR (state = 'closed' AND opened_at IS NOT NULL AND closed_at IS NOT NULL)",
            name="timestamps_match_state",
        ),
        # At most one open year per jurisdiction.
        unique_where("uq_assessment_years_one_open", "jurisdiction_id", where="state = 'open'"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    year: Mapped[int]
    state: Mapped[YearState] = mapped_column(
        value_enum(YearState, "year_state"), default=YearState.draft
    )
    config: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    jurisdiction: Mapped[Jurisdiction] = relationship()

    @property
    def settings(self) -> dict:
        """The configuration, with settings added after it was saved at their defaults."""
        return with_defaults(self.config)

    @property
    def is_editable(self) -> bool:
        return self.state is not YearState.closed

    def require_editable(self) -> None:
        """Refuse any change inside a closed year."""
        if not self.is_editable:
            raise DomainError(
                _l("The year %(year)d is closed: nothing in it changes.", year=self.year)
            )

    def open(self) -> None:
        if self.state is not YearState.draft:
            raise DomainError(_l("Only a draft year can be opened."))
        self.state = YearState.open
        self.opened_at = utcnow()

    def close(self) -> None:
        if self.state is not YearState.open:
            raise DomainError(_l("Only an open year can be closed."))
        self.state = YearState.closed
        self.closed_at = utcnow()

    def __repr__(self) -> str:
        return f"<AssessmentYear {self.id} {self.year} {self.state.value}>"
