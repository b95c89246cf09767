"""Reading rectification items within what a user may see, with their warnings."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from survey.agencies.models import Agency
from survey.agencies.queries import scope_ids
from survey.evidence.models import EvidenceOwner
from survey.evidence.services import files_of
from survey.followup.lifecycle import RUNNING
from survey.followup.models import EventKind, ItemState, RectificationItem
from survey.followup.warnings import Colour, Warning, warning_of
from survey.workdays.queries import calendar_around


@dataclass(frozen=True)
class Row:
    item: RectificationItem
    warning: Warning
    reminders: int
    review_due: bool = False  # closed, and its 整改回头看 date has come


@dataclass(frozen=True)
class Filters:
    state: str = ""
    source: str = ""
    agency_id: int | None = None
    jurisdiction_id: int | None = None
    colour: str = ""


def item_in_scope_or_404(session: Session, user, item_id: int) -> RectificationItem:
    item = session.get(RectificationItem, item_id)
    if item is None or item.agency.jurisdiction_id not in scope_ids(session, user):
        abort(404)
    return item


def own_item_or_404(session: Session, agency: Agency, item_id: int) -> RectificationItem:
    item = session.get(RectificationItem, item_id)
    if item is None or item.agency_id != agency.id:
        abort(404)  # another agency's item does not exist for this one
    return item


def rows_of(session: Session, items, today: dt.date) -> list[Row]:
    calendar = calendar_around(session, today)
    return [
        Row(
            item,
            warning_of(item, today, calendar),
            sum(1 for event in item.events if event.kind is EventKind.remind),
            item.state is ItemState.closed
            and item.review_due_on is not None
            and item.review_due_on <= today,
        )
        for item in items
    ]


def office_rows(session: Session, user, filters: Filters, today: dt.date) -> list[Row]:
    ids = scope_ids(session, user)
    if filters.jurisdiction_id is not None:
        ids = [jid for jid in ids if jid == filters.jurisdiction_id]
    statement = (
        select(RectificationItem)
        .join(Agency, RectificationItem.agency_id == Agency.id)
        .where(Agency.jurisdiction_id.in_(ids))
        .options(selectinload(RectificationItem.events), selectinload(RectificationItem.agency))
        .order_by(RectificationItem.due_on, RectificationItem.id)
    )
    if filters.state:
        statement = statement.where(RectificationItem.state == filters.state)
    if filters.source:
        statement = statement.where(RectificationItem.source_kind == filters.source)
    if filters.agency_id is not None:
        statement = statement.where(RectificationItem.agency_id == filters.agency_id)
    rows = rows_of(session, session.scalars(statement), today)
    if filters.colour:
        rows = [
            row for row in rows if row.warning.colour and row.warning.colour.value == filters.colour
        ]
    return rows


def agency_rows(session: Session, agency: Agency, today: dt.date) -> list[Row]:
    items = session.scalars(
        select(RectificationItem)
        .where(RectificationItem.agency_id == agency.id)
        .options(selectinload(RectificationItem.events))
        .order_by(RectificationItem.due_on, RectificationItem.id)
    )
    return rows_of(session, items, today)


def colour_counts(rows: list[Row]) -> dict[Colour, int]:
    counts = Counter(row.warning.colour for row in rows if row.warning.colour)
    return {colour: counts.get(colour, 0) for colour in Colour}


def running_count(rows: list[Row]) -> int:
    return sum(1 for row in rows if row.item.state in RUNNING)


def evidence_of(session: Session, item: RectificationItem) -> dict:
    return files_of(session, EvidenceOwner.rectification, [event.id for event in item.events])


@dataclass(frozen=True)
class HomeSummary:
    counts: dict
    running: int
    urgent: list[Row]  # red and yellow first, at most five
    portal: str
    reviews_due: list[Row]  # closed items whose review (回头看) is due


def home_summary(session: Session, user, today: dt.date, *, agency=None) -> HomeSummary:
    """The three colours for a home page: the office's items, or the agency's own."""
    if agency is not None:
        rows, portal = agency_rows(session, agency, today), "agency"
    else:
        rows, portal = office_rows(session, user, Filters(), today), "admin"
    order = {Colour.red: 0, Colour.yellow: 1, Colour.blue: 2}
    urgent = sorted(
        (row for row in rows if row.warning.colour), key=lambda row: order[row.warning.colour]
    )
    reviews = [row for row in rows if row.review_due]
    return HomeSummary(colour_counts(rows), running_count(rows), urgent[:5], portal, reviews)
