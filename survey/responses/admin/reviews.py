"""Reviewing a flagged response: include it in the results or exclude it, with a reason.

Each decision is a new ``FlagReview`` row (append-only; the latest counts) and an audit entry
in the same transaction. Nothing about the response itself is updated or deleted.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from survey.auditing import record
from survey.errors import DomainError
from survey.responses.models import FlagReview, Response

MAX_REASON = 500


def review_response(
    session: Session, actor, response: Response, *, include: bool, reason: str
) -> FlagReview:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write down why you decided so."))
    if len(reason) > MAX_REASON:
        raise DomainError(_l("The reason is longer than 500 characters."))
    if not response.flags:
        raise DomainError(_l("Only a flagged response can be reviewed."))
    was_excluded = response.is_excluded
    review = FlagReview(
        response_id=response.id, include=include, reason=reason, reviewer_id=actor.id
    )
    session.add(review)
    session.flush()
    session.refresh(response, ["reviews"])
    record(
        session,
        actor,
        "response.review",
        response,
        jurisdiction_id=response.campaign.year.jurisdiction_id,
        before={"excluded": was_excluded},
        after={
            "excluded": response.is_excluded,
            "reason": reason,
            "flags": [flag.reason.value for flag in response.flags],
        },
    )
    return review
