"""Recording 约谈 / 通报批评 (with the committee's approval, 第十八条) and linkage notices to
other oversight bodies (第十六条). Both are records: every rule is checked before the row is
added, and the row never changes."""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.audit.services import record
from survey.clock import beijing_today
from survey.errors import DomainError
from survey.followup.escalation import (
    Escalation,
    EscalationKind,
    LinkageNotice,
    NoticeKind,
    Recipient,
)
from survey.followup.models import RectificationItem
from survey.followup.services import required_text

logger = logging.getLogger(__name__)


def _items(session: Session, ids, agency_ids) -> list[RectificationItem]:
    ids = sorted({int(i) for i in ids or ()})
    items = list(session.scalars(select(RectificationItem).where(RectificationItem.id.in_(ids))))
    if len(items) != len(ids) or any(item.agency_id not in agency_ids for item in items):
        raise DomainError(_l("The linked rectification items must concern the agency."))
    return items


def _past(day: dt.date | None, today: dt.date, message) -> dt.date:
    if day is None:
        raise DomainError(message)
    if day > today:
        raise DomainError(_l("A record of something done cannot be dated in the future."))
    return day


def record_escalation(
    session: Session,
    actor,
    agency: Agency,
    *,
    kind,
    held_on: dt.date,
    people: str,
    reason: str,
    approved_by: str,
    approved_on: dt.date,
    document_number: str,
    item_ids=(),
    today: dt.date | None = None,
) -> Escalation:
    today = today or beijing_today()
    try:
        kind = EscalationKind(kind)
    except ValueError as exc:
        raise DomainError(_l("Choose admonition or public criticism.")) from exc
    held_on = _past(held_on, today, _l("Give the date it took place."))
    approved_on = _past(approved_on, today, _l("Give the date of the approval."))
    if approved_on > held_on:
        raise DomainError(_l("The approval must be given before it takes place."))
    escalation = Escalation(
        agency_id=agency.id,
        kind=kind,
        held_on=held_on,
        people=required_text(people, _l("Name the people who took part.")),
        reason=required_text(reason, _l("Give the reason.")),
        approved_by=required_text(approved_by, _l("Say who approved it."))[:200],
        approved_on=approved_on,
        document_number=required_text(document_number, _l("Give the approval's document number."))[
            :100
        ],
        recorded_by_id=actor.id,
    )
    escalation.items.extend(_items(session, item_ids, {agency.id}))
    session.add(escalation)
    session.flush()
    record(
        session,
        actor,
        "escalation.record",
        escalation,
        jurisdiction_id=agency.jurisdiction_id,
        after={
            "agency_id": agency.id,
            "kind": kind,
            "held_on": held_on,
            "approved_by": escalation.approved_by,
            "approved_on": approved_on,
            "document_number": escalation.document_number,
            "item_ids": [item.id for item in escalation.items],
        },
    )
    logger.info(
        "%s recorded %s %s for agency %s", actor.username, kind.value, escalation.id, agency.id
    )
    return escalation


def record_notice(
    session: Session,
    actor,
    jurisdiction_id: int,
    scope_agency_ids: set[int],
    *,
    kind,
    recipient,
    sent_on: dt.date,
    title: str,
    content: str,
    attachments: str = "",
    agency: Agency | None = None,
    item_ids=(),
    today: dt.date | None = None,
) -> LinkageNotice:
    today = today or beijing_today()
    try:
        kind, recipient = NoticeKind(kind), Recipient(recipient)
    except ValueError as exc:
        raise DomainError(_l("Choose the kind of notice and the body it goes to.")) from exc
    sent_on = _past(sent_on, today, _l("Give the date it was sent."))
    allowed = {agency.id} if agency is not None else scope_agency_ids
    notice = LinkageNotice(
        jurisdiction_id=jurisdiction_id,
        agency_id=agency.id if agency is not None else None,
        kind=kind,
        recipient=recipient,
        sent_on=sent_on,
        title=required_text(title, _l("Give the notice a title."))[:200],
        content=required_text(content, _l("Write what the notice says.")),
        attachments=(attachments or "").strip(),
        recorded_by_id=actor.id,
    )
    notice.items.extend(_items(session, item_ids, allowed))
    session.add(notice)
    session.flush()
    record(
        session,
        actor,
        "linkage.record",
        notice,
        jurisdiction_id=jurisdiction_id,
        after={
            "kind": kind,
            "recipient": recipient,
            "sent_on": sent_on,
            "title": notice.title,
            "agency_id": notice.agency_id,
            "item_ids": [item.id for item in notice.items],
        },
    )
    logger.info("%s recorded linkage notice %s", actor.username, notice.id)
    return notice


def notices_for(session: Session, user, jurisdiction_ids) -> list[LinkageNotice]:
    """Clue referrals (线索移送) are for supervisors only."""
    statement = select(LinkageNotice).where(
        LinkageNotice.jurisdiction_id.in_(list(jurisdiction_ids))
    )
    if not user.is_supervisor:
        statement = statement.where(LinkageNotice.kind != NoticeKind.clue_referral)
    return list(session.scalars(statement.order_by(LinkageNotice.sent_on.desc(), LinkageNotice.id)))


def escalations_for(session: Session, jurisdiction_ids) -> list[Escalation]:
    return list(
        session.scalars(
            select(Escalation)
            .join(Agency, Escalation.agency_id == Agency.id)
            .where(Agency.jurisdiction_id.in_(list(jurisdiction_ids)))
            .order_by(Escalation.held_on.desc(), Escalation.id)
        )
    )
