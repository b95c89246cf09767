"""Special supervision (专项监管, 第十三条): one matter, the agencies concerned, a deadline of
60 working days on the calendar, its findings and its conclusion."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.agencies.models import Agency, Jurisdiction
from survey.db import Base, UTCDateTime, utcnow
from survey.types import LabelledEnum, value_enum

CASE_WORKING_DAYS = 60


class CaseOrigin(LabelledEnum):
    instruction = ("instruction", _l("A leader's instruction"))
    referral = ("referral", _l("A referral from above"))
    work_need = ("work_need", _l("The needs of the work"))


class CaseState(LabelledEnum):
    open = ("open", _l("Open"))
    concluded = ("concluded", _l("Concluded"))


special_case_agencies = Table(
    "special_case_agencies",
    Base.metadata,
    Column("case_id", ForeignKey("special_cases.id"), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True),
)


class SpecialCase(Base):
    __tablename__ = "special_cases"
    __table_args__ = (
        CheckConstraint("length(trim(matter)) > 0", name="matter_not_blank"),
        CheckConstraint("due_on > start_on", name="due_after_start"),
        CheckConstraint(
            "(state = 'open' AND concluded_on IS NULL) OR"
            " (state = 'concluded' AND concluded_on IS NOT NULL)",
            name="concluded_when_concluded",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    matter: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[CaseOrigin] = mapped_column(value_enum(CaseOrigin, "special_case_origin"))
    procedure: Mapped[str] = mapped_column(String(100), default="一事一办")
    start_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[CaseState] = mapped_column(
        value_enum(CaseState, "special_case_state"), default=CaseState.open
    )
    conclusion: Mapped[str] = mapped_column(Text, default="")
    concluded_on: Mapped[dt.date | None] = mapped_column(Date)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    agencies: Mapped[list[Agency]] = relationship(
        secondary=special_case_agencies, order_by="Agency.id"
    )
    findings: Mapped[list[CaseFinding]] = relationship(order_by="CaseFinding.id")

    def __repr__(self) -> str:
        return f"<SpecialCase {self.id} {self.state.value}>"


class CaseFinding(Base):
    """What the case found at one agency: a record, never changed (append-only)."""

    __tablename__ = "special_case_findings"
    __table_args__ = (CheckConstraint("length(trim(text)) > 0", name="text_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("special_cases.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    text: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()

    def __repr__(self) -> str:
        return f"<CaseFinding {self.id} case={self.case_id}>"
