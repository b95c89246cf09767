"""Jurisdictions (the city and its districts), agencies (第三条) and their sections."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.db import Base, UTCDateTime, utcnow
from survey.types import LabelledEnum, unique_where, value_enum


class Jurisdiction(Base):
    """A city or district; each has its own 编办. A district nests under its city."""

    __tablename__ = "jurisdictions"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        # Top-level names (parent NULL) are not caught here; the form checks them.
        UniqueConstraint("parent_id", "name", name="uq_jurisdictions_parent_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Jurisdiction | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Jurisdiction]] = relationship(
        back_populates="parent", order_by="Jurisdiction.id"
    )

    def __repr__(self) -> str:
        return f"<Jurisdiction {self.id} {self.name}>"


class AgencyKind(LabelledEnum):
    """The nine kinds of agency named in 第三条."""

    party = ("party", _l("Party organ"))
    congress = ("congress", _l("People's congress organ"))
    government = ("government", _l("Administrative organ"))
    cppcc = ("cppcc", _l("CPPCC organ"))
    supervisory = ("supervisory", _l("Supervisory organ"))
    court = ("court", _l("Judicial organ"))
    procuratorate = ("procuratorate", _l("Procuratorial organ"))
    mass_organization = ("mass_organization", _l("Mass organization"))
    other = ("other", _l("Other"))

    @classmethod
    def from_label(cls, label: str) -> AgencyKind | None:
        """The kind whose Chinese name (as in 第三条) is ``label``."""
        label = label.strip()
        for kind, chinese in AGENCY_KIND_CHINESE.items():
            if label in {chinese, kind.value}:
                return kind
        return None


#: The names of 第三条, used to read spreadsheets whatever the UI language is.
AGENCY_KIND_CHINESE = {
    AgencyKind.party: "党的机关",
    AgencyKind.congress: "人大机关",
    AgencyKind.government: "行政机关",
    AgencyKind.cppcc: "政协机关",
    AgencyKind.supervisory: "监察机关",
    AgencyKind.court: "审判机关",
    AgencyKind.procuratorate: "检察机关",
    AgencyKind.mass_organization: "群团机关",
    AgencyKind.other: "其他",
}


class Agency(Base):
    """A supervised body. Soft-deleted: targets and responses keep pointing to it."""

    __tablename__ = "agencies"
    __table_args__ = (
        unique_where(
            "uq_agencies_jurisdiction_name_live",
            "jurisdiction_id",
            "name",
            where="deleted_at IS NULL",
        ),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str] = mapped_column(String(50), default="")
    kind: Mapped[AgencyKind] = mapped_column(value_enum(AgencyKind, "agency_kind"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    jurisdiction: Mapped[Jurisdiction] = relationship()
    sections: Mapped[list[Section]] = relationship(back_populates="agency", order_by="Section.id")

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def live_sections(self) -> list[Section]:
        return [section for section in self.sections if section.deleted_at is None]

    def __repr__(self) -> str:
        return f"<Agency {self.id} {self.name}>"


class Section(Base):
    """An internal unit (内设机构); business sections (业务科室) must each carry a target."""

    __tablename__ = "sections"
    __table_args__ = (
        unique_where(
            "uq_sections_agency_name_live", "agency_id", "name", where="deleted_at IS NULL"
        ),
        CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    is_business: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    agency: Mapped[Agency] = relationship(back_populates="sections")

    def __repr__(self) -> str:
        return f"<Section {self.id} {self.name}>"
