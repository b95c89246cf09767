"""Adjustment requests: an approved target changes only when the supervisor approves a
request that records the reason, the values requested and the values they replace."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.auditing import audited, record
from survey.db import utcnow
from survey.errors import DomainError
from survey.targets.models import (
    AdjustmentState,
    Category,
    Duty,
    Oversight,
    SetState,
    Target,
    TargetAdjustment,
)
from survey.targets.services import FIELD_LABELS, TARGET_FIELDS, check_values


def _plain(value):
    if isinstance(value, Category | Duty | Oversight):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _from_plain(name: str, value):
    if value is None:
        return None
    if name == "category":
        return Category(value)
    if name == "duty":
        return Duty(value)
    if name == "oversight":
        return Oversight(value)
    if name == "deadline":
        return dt.date.fromisoformat(value)
    return value


def request_adjustment(
    session: Session, actor: User, target: Target, values: dict, reason: str
) -> TargetAdjustment:
    target_set = target.target_set
    target_set.year.require_editable()
    if target_set.state is not SetState.approved or target.withdrawn_at is not None:
        raise DomainError(_l("Only an approved target is changed by an adjustment request."))
    if not reason.strip():
        raise DomainError(_l("Say why the target must change."))
    pending = session.scalar(
        select(TargetAdjustment.id).where(
            TargetAdjustment.target_id == target.id,
            TargetAdjustment.state == AdjustmentState.pending,
        )
    )
    if pending is not None:
        raise DomainError(_l("An adjustment request for this target is already awaiting decision."))
    check_values(target_set.agency, target_set.year, values)
    changes = {
        name: _plain(value)
        for name, value in values.items()
        if _plain(value) != _plain(getattr(target, name))
    }
    if not changes:
        raise DomainError(_l("The request changes nothing: edit the fields that must change."))
    adjustment = TargetAdjustment(
        target_id=target.id,
        reason=reason.strip(),
        changes=changes,
        before={name: _plain(getattr(target, name)) for name in changes},
        requested_by_id=actor.id,
    )
    session.add(adjustment)
    record(
        session,
        actor,
        "adjustment.request",
        adjustment,
        jurisdiction_id=target_set.agency.jurisdiction_id,
        after={"target_id": target.id, "changes": changes, "reason": adjustment.reason},
    )
    return adjustment


def decide_adjustment(
    session: Session, supervisor: User, adjustment: TargetAdjustment, *, approve: bool, comment: str
) -> None:
    target = adjustment.target
    target_set = target.target_set
    target_set.year.require_editable()
    if not approve and not comment.strip():
        raise DomainError(_l("Say why the request is rejected."))
    adjustment.decide(supervisor, approve, comment)
    if approve:
        with audited(
            session,
            supervisor,
            "target.adjust",
            target,
            TARGET_FIELDS,
            jurisdiction_id=target_set.agency.jurisdiction_id,
        ):
            for name, value in adjustment.changes.items():
                setattr(target, name, _from_plain(name, value))
            target.updated_at = utcnow()
            session.flush()
    record(
        session,
        supervisor,
        "adjustment.approve" if approve else "adjustment.reject",
        adjustment,
        jurisdiction_id=target_set.agency.jurisdiction_id,
        after={"state": adjustment.state.value, "comment": adjustment.decision_comment},
    )


def _readable(name: str, value, sections: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if name == "section_id":
        return sections.get(value, str(value))
    if name in {"category", "duty", "oversight"}:
        return _from_plain(name, value).label
    return str(value)


def readable_changes(adjustment: TargetAdjustment) -> list[tuple[str, str, str]]:
    """(field, value now, value requested) in words, for the request's reader."""
    sections = {s.id: s.name for s in adjustment.target.target_set.agency.sections}
    return [
        (
            str(FIELD_LABELS[name]),
            _readable(name, adjustment.before.get(name), sections),
            _readable(name, value, sections),
        )
        for name, value in adjustment.changes.items()
    ]
