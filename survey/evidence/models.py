"""An uploaded evidence file. The bytes live in the instance folder under their SHA-256; the row
says whose it is and what it is attached to. Rows are never changed or deleted (a trigger)."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.db import Base, UTCDateTime, utcnow
from survey.types import LabelledEnum, value_enum


class EvidenceOwner(LabelledEnum):
    """What an evidence file is attached to (a row id of that table, checked by the service)."""

    ledger_entry = ("ledger_entry", _l("Progress entry"))
    self_assessment = ("self_assessment", _l("Self-assessment"))
    filing = ("filing", _l("Filing"))
    rectification = ("rectification", _l("Rectification submission"))
    score_item = ("score_item", _l("Bonus or deduction item"))
    objection = ("objection", _l("Objection (复核申请)"))


class EvidenceFile(Base):
    __tablename__ = "evidence_files"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
        Index("ix_evidence_files_owner", "owner_type", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    owner_type: Mapped[EvidenceOwner] = mapped_column(value_enum(EvidenceOwner, "evidence_owner"))
    owner_id: Mapped[int]
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<EvidenceFile {self.id} {self.owner_type.value}:{self.owner_id}>"
