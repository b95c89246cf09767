"""Storing responses: the one way a response (web or imported) enters the database."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from survey.campaigns.models import Campaign, CampaignAgency
from survey.db import utcnow
from survey.errors import DomainError
from survey.responses.models import Answer, Channel, FlagReason, Response, ResponseFlag

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CampaignRef:
    """What a response needs from its campaign, read before a write transaction begins (on
    SQLite a transaction that reads first and writes later can be refused under load)."""

    id: int
    questionnaire_version_id: int

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignRef:
        return cls(campaign.id, campaign.questionnaire_version_id)


def campaign_agency_ids(session: Session, campaign: Campaign | CampaignRef) -> set[int]:
    return set(
        session.scalars(
            select(CampaignAgency.agency_id).where(CampaignAgency.campaign_id == campaign.id)
        )
    )


_INSERT_RESPONSE = insert(Response.__table__).returning(Response.__table__.c.id)
_INSERT_ANSWER = insert(Answer.__table__)


def insert_response(
    session: Session,
    *,
    campaign: Campaign | CampaignRef,
    agency_id: int,
    rater_agency_id: int | None,
    answers: dict[str, str | None],
    channel: Channel,
    submission_key: str,
    duration_seconds: int | None = None,
    flags: Sequence[tuple[FlagReason, str]] = (),
    agency_ids: set[int] | None = None,
) -> int:
    """Insert one response with its answers and flags; never commit. Returns its id.

    ``answers`` holds stored values by item id (a rating's 不了解 is None). ``agency_ids`` are
    the campaign's agencies when the caller already has them (sittings, bulk imports). Plain
    INSERTs, one executemany per table, no ORM unit of work: the submit is the hottest write
    of the product (bench/submit.py)."""
    if agency_ids is None:
        agency_ids = campaign_agency_ids(session, campaign)
    if agency_id not in agency_ids:
        raise DomainError(_l("This agency is not rated in this survey."))
    if rater_agency_id is not None and rater_agency_id == agency_id:
        raise DomainError(_l("An agency never rates itself."))
    response_id = session.execute(
        _INSERT_RESPONSE,
        {
            "campaign_id": campaign.id,
            "agency_id": agency_id,
            "rater_agency_id": rater_agency_id,
            "questionnaire_version_id": campaign.questionnaire_version_id,
            "channel": channel,
            "submission_key": submission_key,
            "duration_seconds": duration_seconds,
            "submitted_at": utcnow(),
        },
    ).scalar_one()
    if answers:
        session.execute(
            _INSERT_ANSWER,
            [
                {"response_id": response_id, "item_id": item_id, "value": value}
                for item_id, value in answers.items()
            ],
        )
    if flags:
        session.execute(
            insert(ResponseFlag.__table__),
            [
                {
                    "response_id": response_id,
                    "reason": reason,
                    "detail": detail[:200],
                    "created_at": utcnow(),
                }
                for reason, detail in flags
            ],
        )
        logger.info(
            "response %s in campaign %s flagged: %s",
            response_id,
            campaign.id,
            ", ".join(reason.value for reason, _ in flags),
        )
    return response_id


def store_response(session: Session, **values) -> Response:
    """``insert_response``, returning the stored response as an object."""
    return session.get(Response, insert_response(session, **values))
