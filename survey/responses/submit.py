"""Accepting respondents' answers: one agency from an open link, or a whole sitting opened by
a single-use token. Services flush; the view commits once.

Two rules shape the writes:
- A resubmitted form (double tap, network retry) carries the key of the form it came from, so
  it is recognised and answered with the same receipt, never stored twice (the database's
  unique key on campaign + submission key + agency backs this up under concurrency).
- A token is consumed by one conditional UPDATE whose row count says whether this request won;
  two phones submitting the same token at once cannot both succeed, on either database.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, exists, select, update
from sqlalchemy.orm import Session

from survey.campaigns.models import Campaign, Token
from survey.db import utcnow
from survey.errors import DomainError
from survey.responses.integrity import Flags
from survey.responses.models import Channel, Draft, Response
from survey.responses.services import CampaignRef, insert_response

logger = logging.getLogger(__name__)


class TokenSpent(DomainError):
    """The token was used (or revoked) by another submission first."""


def already_submitted(session: Session, campaign_id: int, submission_key: str) -> bool:
    return session.scalar(
        select(
            exists().where(
                Response.campaign_id == campaign_id, Response.submission_key == submission_key
            )
        )
    )


def submit_single(
    session: Session,
    *,
    campaign: CampaignRef,
    agency_ids: set[int],
    agency_id: int,
    answers: dict[str, str | None],
    submission_key: str,
    duration_seconds: int | None,
    flags: Flags,
) -> int:
    """An open-link response about one agency. Takes plain values only, so that its first
    statement is the INSERT (see ``CampaignRef``)."""
    return insert_response(
        session,
        campaign=campaign,
        agency_id=agency_id,
        rater_agency_id=None,
        answers=answers,
        channel=Channel.web,
        submission_key=submission_key,
        duration_seconds=duration_seconds,
        flags=flags,
        agency_ids=agency_ids,
    )


_CONSUME = (
    update(Token.__table__)
    .where(
        Token.__table__.c.token_hash == bindparam("hash"),
        Token.__table__.c.used_on.is_(None),
        Token.__table__.c.revoked_at.is_(None),
    )
    .values(used_on=bindparam("today"))
)


def consume_token(session: Session, token_hash: str, today: dt.date) -> bool:
    """Mark the token used, if it still is usable. True when this call consumed it: the
    database decides, so two phones submitting one token at once cannot both win."""
    result = session.execute(_CONSUME, {"hash": token_hash, "today": today})
    return result.rowcount == 1


_DROP_DRAFT = delete(Draft.__table__).where(Draft.__table__.c.owner_hash == bindparam("owner"))


def submit_sitting(
    session: Session,
    *,
    campaign: CampaignRef,
    agency_ids: set[int],
    token_hash: str,
    rater_agency_id: int | None,
    answers_by_agency: dict[int, dict[str, str | None]],
    submission_key: str,
    today: dt.date,
) -> list[int]:
    """The final submit of a token sitting: consume the token, store one response per rated
    agency, drop the draft. The token UPDATE is the first statement, so that on SQLite this
    transaction takes the write lock before anything else (no stale read snapshot to upgrade);
    every value needed was read beforehand (``CampaignRef``, ``agency_ids``)."""
    if not answers_by_agency:
        raise DomainError(_l("Rate at least one agency before submitting."))
    if not consume_token(session, token_hash, today):
        raise TokenSpent(_l("This code has already been used. Each code can be used once."))
    response_ids = [
        insert_response(
            session,
            campaign=campaign,
            agency_id=agency_id,
            rater_agency_id=rater_agency_id,
            answers=answers,
            channel=Channel.web,
            submission_key=submission_key,
            agency_ids=agency_ids,
        )
        for agency_id, answers in answers_by_agency.items()
    ]
    session.execute(_DROP_DRAFT, {"owner": token_hash})
    logger.debug(
        "token sitting submitted in campaign %s: %d agencies", campaign.id, len(response_ids)
    )
    return response_ids


def save_draft(session: Session, *, campaign: Campaign, token_hash: str, answers: dict) -> Draft:
    draft = session.scalar(select(Draft).where(Draft.owner_hash == token_hash))
    if draft is None:
        draft = Draft(campaign_id=campaign.id, owner_hash=token_hash, answers=answers)
        session.add(draft)
    else:
        draft.answers = answers
        draft.updated_at = utcnow()
    session.flush()
    return draft
