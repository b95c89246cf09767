"""Issuing rectification items and moving them through their lifecycle. Every move writes an
event (append-only) and an audit entry in the same transaction; services flush, views commit.
The agency's moves check that the item is its own; the office's views scope the item first."""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from survey.agencies.models import Agency, Section
from survey.audit.services import record
from survey.clock import beijing_today
from survey.errors import DomainError
from survey.evidence.models import EvidenceOwner
from survey.evidence.services import attach
from survey.followup.lifecycle import check_move
from survey.followup.models import (
    EventKind,
    ItemState,
    RectificationEvent,
    RectificationItem,
    SourceKind,
)
from survey.followup.sources import check_source
from survey.workdays.queries import calendar_around

logger = logging.getLogger(__name__)

REVIEW_AFTER_DAYS = (30, 60, 90)


def required_text(value, message) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(message)
    return text


def write_event(session, item, actor, kind, before: ItemState, *, text="", due_on=None):
    event = RectificationEvent(
        item=item,
        kind=kind,
        from_state=before.value,
        to_state=item.state.value,
        text=text,
        due_on=due_on,
        actor_id=actor.id,
    )
    session.add(event)
    record(
        session,
        actor,
        f"rectification.{kind.value}",
        item,
        jurisdiction_id=item.agency.jurisdiction_id,
        before={"state": before},
        after={"state": item.state, "text": text, "due_on": due_on},
    )
    return event


def deadline(session: Session, issued_on: dt.date, *, due_on=None, working_days=None):
    """(due date, working days) from a date or a number of working days after issue. A date on
    a rest day runs to the next working day (民法典 第203条)."""
    calendar = calendar_around(session, issued_on)
    if working_days:
        return calendar.add_working_days(issued_on, int(working_days)), int(working_days)
    if due_on is None:
        raise DomainError(_l("Give the deadline as a date or as a number of working days."))
    if due_on <= issued_on:
        raise DomainError(_l("The deadline must be after the issue date."))
    return calendar.period_end(due_on), None


def issue(
    session: Session,
    actor,
    agency: Agency,
    *,
    source_kind,
    source_id: int | None,
    title: str,
    requirement: str,
    due_on: dt.date | None = None,
    working_days: int | None = None,
    section: Section | None = None,
    responsible_leader: str = "",
    issued_on: dt.date | None = None,
) -> RectificationItem:
    if agency.is_deleted:
        raise DomainError(_l("The agency has been deleted."))
    try:
        source_kind = SourceKind(source_kind)
    except ValueError as exc:
        raise DomainError(_l("Choose where the problem comes from.")) from exc
    case = check_source(session, agency, source_kind, source_id)
    if section is not None and (section.agency_id != agency.id or section.deleted_at):
        raise DomainError(_l("The section must be one of the agency's own."))
    issued_on = issued_on or beijing_today()
    due, days = deadline(session, issued_on, due_on=due_on, working_days=working_days)
    item = RectificationItem(
        agency=agency,
        source_kind=source_kind,
        source_id=source_id if source_kind is not SourceKind.manual else None,
        case_id=case.id if case is not None else None,
        title=required_text(title, _l("Give the item a title."))[:200],
        requirement=required_text(requirement, _l("State what must be rectified.")),
        issued_on=issued_on,
        due_on=due,
        working_days=days,
        section_id=section.id if section is not None else None,
        responsible_leader=(responsible_leader or "").strip()[:100],
        state=ItemState.issued,
        issued_by_id=actor.id,
    )
    session.add(item)
    session.flush()
    write_event(
        session, item, actor, EventKind.issue, ItemState.issued, text=item.requirement, due_on=due
    )
    logger.info("%s issued rectification item %s to agency %s", actor.username, item.id, agency.id)
    return item


def check_own(actor, item: RectificationItem) -> None:
    if actor.agency_id != item.agency_id:
        raise DomainError(_l("This item belongs to another agency."))


def agency_move(
    session: Session, actor, item: RectificationItem, name: str, *, text: str = "", files=()
) -> RectificationEvent:
    """签收, a progress report or the submission for verification, by the item's agency."""
    check_own(actor, item)
    move = check_move(item, name, by_agency=True)
    if name == "progress":
        text = required_text(text, _l("Describe the progress made."))
    elif name == "submit":
        text = required_text(text, _l("Describe the measures taken."))
    before = item.state
    item.state = move.target
    event = write_event(session, item, actor, move.kind, before, text=(text or "").strip())
    if files:
        session.flush()
        attach(session, actor, item.agency, EvidenceOwner.rectification, event.id, list(files))
    return event


def office_move(
    session: Session,
    actor,
    item: RectificationItem,
    name: str,
    *,
    text: str = "",
    review_after: int | None = None,
    today: dt.date | None = None,
) -> RectificationEvent:
    """Return, verify, close (销号, with the review date), review, cancel or remind."""
    move = check_move(item, name, by_agency=False)
    today = today or beijing_today()
    if name in {"return", "cancel", "review_recurred"}:
        text = required_text(text, _l("Give the reason."))
    before = item.state
    if name == "close":
        if review_after not in REVIEW_AFTER_DAYS:
            raise DomainError(_l("Schedule the review 30, 60 or 90 days after closing."))
        item.closed_on = today
        item.review_due_on = today + dt.timedelta(days=review_after)
    due_on = None
    if name == "review_recurred":
        # A recurrence is rectified again in a period as long as the first one, from today.
        calendar = calendar_around(session, today)
        period = item.working_days or calendar.count_working_days(item.issued_on, item.due_on)
        item.due_on = due_on = calendar.add_working_days(today, max(period, 1))
    if move.target is not None:
        item.state = move.target
    return write_event(
        session, item, actor, move.kind, before, text=(text or "").strip(), due_on=due_on
    )
