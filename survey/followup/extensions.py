"""Extension requests: the agency asks for a later deadline with its reason; the office
approves (the item's deadline moves) or refuses. One request is pending at a time."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.db import utcnow
from survey.errors import DomainError
from survey.followup.lifecycle import RUNNING, check_move
from survey.followup.models import EventKind, ExtensionRequest, ExtensionState, RectificationItem
from survey.followup.services import check_own, required_text, write_event
from survey.workdays.queries import calendar_around


def pending_of(session: Session, item: RectificationItem) -> ExtensionRequest | None:
    return session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.item_id == item.id,
            ExtensionRequest.state == ExtensionState.pending,
        )
    )


def request_extension(
    session: Session, actor, item: RectificationItem, *, due_on: dt.date, reason: str
) -> ExtensionRequest:
    check_own(actor, item)
    check_move(item, "extension_request", by_agency=True)
    reason = required_text(reason, _l("Give the reason for the extension."))
    if pending_of(session, item) is not None:
        raise DomainError(_l("An extension request for this item is already waiting."))
    if due_on is None or due_on <= item.due_on:
        raise DomainError(_l("The new deadline must be after the current one."))
    due_on = calendar_around(session, item.due_on).period_end(due_on)
    request = ExtensionRequest(
        item=item,
        requested_due_on=due_on,
        previous_due_on=item.due_on,
        reason=reason,
        requested_by_id=actor.id,
    )
    session.add(request)
    write_event(
        session, item, actor, EventKind.extension_request, item.state, text=reason, due_on=due_on
    )
    return request


def decide_extension(
    session: Session, actor, request: ExtensionRequest, *, approve: bool, note: str = ""
) -> ExtensionRequest:
    if request.state is not ExtensionState.pending:
        raise DomainError(_l("This extension request has already been decided."))
    item = request.item
    if approve and item.state not in RUNNING:
        raise DomainError(_l("The item is no longer running; its deadline cannot move."))
    if not approve:
        note = required_text(note, _l("Give the reason for refusing."))
    request.state = ExtensionState.approved if approve else ExtensionState.rejected
    request.decided_by_id, request.decided_at = actor.id, utcnow()
    request.decision_note = (note or "").strip()
    if approve:
        item.due_on = request.requested_due_on
        item.working_days = None
    kind = EventKind.extension_approve if approve else EventKind.extension_reject
    write_event(
        session,
        item,
        actor,
        kind,
        item.state,
        text=request.decision_note,
        due_on=item.due_on if approve else None,
    )
    return request
