"""约谈 / 通报批评 (第十八条) and linkage notices to other oversight bodies (第十六条): records of
what the office did, kept as written (append-only), each with the items it concerns."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.db import Base, UTCDateTime, utcnow
from survey.followup.models import RectificationItem
from survey.types import LabelledEnum, value_enum


class EscalationKind(LabelledEnum):
    admonition = ("admonition", _l("Admonition talk (约谈)"))
    public_criticism = ("public_criticism", _l("Public criticism (通报批评)"))


escalation_items = Table(
    "escalation_items",
    Base.metadata,
    Column("escalation_id", ForeignKey("escalations.id"), primary_key=True),
    Column("item_id", ForeignKey("rectification_items.id"), primary_key=True),
)


class Escalation(Base):
    __tablename__ = "escalations"
    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),
        CheckConstraint("length(trim(approved_by)) > 0", name="approved_by_not_blank"),
        CheckConstraint("length(trim(document_number)) > 0", name="document_number_not_blank"),
        CheckConstraint("approved_on <= held_on", name="approved_before_held"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[EscalationKind] = mapped_column(value_enum(EscalationKind, "escalation_kind"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    people: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    # 报经本级机构编制委员会同意或授权
    approved_by: Mapped[str] = mapped_column(String(200))
    approved_on: Mapped[dt.date] = mapped_column(Date)
    document_number: Mapped[str] = mapped_column(String(100))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency] = relationship()
    recorded_by: Mapped[User] = relationship()
    items: Mapped[list[RectificationItem]] = relationship(
        secondary=escalation_items, order_by="RectificationItem.id"
    )

    def __repr__(self) -> str:
        return f"<Escalation {self.id} {self.kind.value} agency={self.agency_id}>"


class NoticeKind(LabelledEnum):
    notification = ("notification", _l("Notification (情况通报)"))
    information = ("information", _l("Information sharing (信息共享)"))
    clue_referral = ("clue_referral", _l("Clue referral (线索移送)"))


class Recipient(LabelledEnum):
    discipline = ("discipline", _l("Discipline inspection and supervision (纪检监察)"))
    inspection = ("inspection", _l("Inspection tours (巡察)"))
    supervision = ("supervision", _l("Government supervision (督查)"))
    finance = ("finance", _l("Finance (财政)"))
    audit = ("audit", _l("Audit (审计)"))


linkage_notice_items = Table(
    "linkage_notice_items",
    Base.metadata,
    Column("notice_id", ForeignKey("linkage_notices.id"), primary_key=True),
    Column("item_id", ForeignKey("rectification_items.id"), primary_key=True),
)


class LinkageNotice(Base):
    __tablename__ = "linkage_notices"
    __table_args__ = (
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint("length(trim(content)) > 0", name="content_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    kind: Mapped[NoticeKind] = mapped_column(value_enum(NoticeKind, "linkage_notice_kind"))
    recipient: Mapped[Recipient] = mapped_column(value_enum(Recipient, "linkage_recipient"))
    sent_on: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    attachments: Mapped[str] = mapped_column(Text, default="")  # the documents sent with it
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency: Mapped[Agency | None] = relationship()
    recorded_by: Mapped[User] = relationship()
    items: Mapped[list[RectificationItem]] = relationship(
        secondary=linkage_notice_items, order_by="RectificationItem.id"
    )

    def __repr__(self) -> str:
        return f"<LinkageNotice {self.id} {self.kind.value} to {self.recipient.value}>"
