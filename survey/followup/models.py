"""Rectification items (整改) and what happens to them.

An item's lifecycle is an enum with guarded moves (``lifecycle.py``); every move, progress
report, submission and reminder is a row of ``rectification_events``, which the database
keeps as written (append-only). An item is never deleted: it is cancelled, with the reason.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.accounts.models import User
from survey.agencies.models import Agency, Section
from survey.db import Base, UTCDateTime, utcnow
from survey.types import LabelledEnum, value_enum


class SourceKind(LabelledEnum):
    """Where the problem came from. ``source_id`` names the row where there is one: a duty
    finding, a target, a scoring run (no foreign key: scoring runs live in another feature),
    a special-supervision case."""

    on_site_finding = ("on_site_finding", _l("On-site finding"))
    overdue_target = ("overdue_target", _l("Overdue target"))
    scoring_run = ("scoring_run", _l("Low or not-rated dimension of a scoring run"))
    special_supervision = ("special_supervision", _l("Special supervision"))
    manual = ("manual", _l("Written by hand"))


class ItemState(LabelledEnum):
    issued = ("issued", _l("Issued to the agency"))
    acknowledged = ("acknowledged", _l("Acknowledged (签收)"))
    in_progress = ("in_progress", _l("In progress"))
    submitted = ("submitted", _l("Submitted for verification"))
    returned = ("returned", _l("Returned"))
    verified = ("verified", _l("Verified"))
    closed = ("closed", _l("Closed (销号)"))
    reviewed = ("reviewed", _l("Held on review (回头看)"))
    reopened = ("reopened", _l("Reopened: recurred"))
    cancelled = ("cancelled", _l("Cancelled"))


class RectificationItem(Base):
    __tablename__ = "rectification_items"
    __table_args__ = (
        CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        CheckConstraint("length(trim(requirement)) > 0", name="requirement_not_blank"),
        CheckConstraint("due_on > issued_on", name="due_after_issue"),
        CheckConstraint("source_kind = 'manual' OR source_id IS NOT NULL", name="source_named"),
        CheckConstraint("working_days IS NULL OR working_days > 0", name="working_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    source_kind: Mapped[SourceKind] = mapped_column(value_enum(SourceKind, "rectification_source"))
    source_id: Mapped[int | None] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("special_cases.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    requirement: Mapped[str] = mapped_column(Text)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    working_days: Mapped[int | None]  # the period as given, when given in working days
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id"))
    responsible_leader: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[ItemState] = mapped_column(
        value_enum(ItemState, "rectification_state"), default=ItemState.issued, index=True
    )
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    review_due_on: Mapped[dt.date | None] = mapped_column(Date)  # 整改回头看
    recurrence_of_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_items.id"))
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revision: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": revision}

    agency: Mapped[Agency] = relationship()
    section: Mapped[Section | None] = relationship()
    issued_by: Mapped[User] = relationship()
    events: Mapped[list[RectificationEvent]] = relationship(
        back_populates="item", order_by="RectificationEvent.id"
    )

    def __repr__(self) -> str:
        return f"<RectificationItem {self.id} agency={self.agency_id} {self.state.value}>"


class EventKind(LabelledEnum):
    issue = ("issue", _l("Issued to the agency"))
    acknowledge = ("acknowledge", _l("Acknowledged"))
    progress = ("progress", _l("Progress report"))
    submit = ("submit", _l("Submitted for verification"))
    return_ = ("return", _l("Returned"))
    verify = ("verify", _l("Verified"))
    close = ("close", _l("Closed (销号)"))
    review_held = ("review_held", _l("Review: held"))
    review_recurred = ("review_recurred", _l("Review: recurred, reopened"))
    cancel = ("cancel", _l("Cancelled"))
    remind = ("remind", _l("Reminder (催办)"))
    extension_request = ("extension_request", _l("Extension requested"))
    extension_approve = ("extension_approve", _l("Extension approved"))
    extension_reject = ("extension_reject", _l("Extension refused"))


class RectificationEvent(Base):
    """One thing that happened to an item, with who and when: never changed or deleted."""

    __tablename__ = "rectification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectification_items.id"), index=True)
    kind: Mapped[EventKind] = mapped_column(value_enum(EventKind, "rectification_event"))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date)  # a new deadline (extension)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[RectificationItem] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<RectificationEvent {self.id} item={self.item_id} {self.kind.value}>"


class ExtensionState(LabelledEnum):
    pending = ("pending", _l("Pending"))
    approved = ("approved", _l("Approved"))
    rejected = ("rejected", _l("Refused"))


class ExtensionRequest(Base):
    __tablename__ = "rectification_extensions"
    __table_args__ = (
        CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),
        CheckConstraint(
            "(state = 'pending' AND decided_at IS NULL) OR"
            " (state <> 'pending' AND decided_at IS NOT NULL)",
            name="decided_when_not_pending",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectification_items.id"), index=True)
    requested_due_on: Mapped[dt.date] = mapped_column(Date)
    previous_due_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ExtensionState] = mapped_column(
        value_enum(ExtensionState, "extension_state"), default=ExtensionState.pending
    )
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[RectificationItem] = relationship()

    def __repr__(self) -> str:
        return f"<ExtensionRequest {self.id} item={self.item_id} {self.state.value}>"
