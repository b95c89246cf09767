"""Storing responses: the one way a response (web or imported) enters the database, and the
respondents' writes around it (a token consumed, a sitting's draft). Services flush; the
caller commits once.

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
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, Integer, String, bindparam, delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from survey.campaigns.models import Campaign, CampaignAgency, Token
from survey.db import UTCDateTime, utcnow
from survey.errors import DomainError
from survey.responses.models import Answer, Channel, Draft, FlagReason, Response, ResponseFlag

logger = logging.getLogger(__name__)


class TokenSpent(DomainError):
    """The token was used (or revoked) by another submission first."""


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


def check_rated(agency_id: int, rater_agency_id: int | None, agency_ids: set[int]) -> None:
    """The rules on who a response rates, checked before it is written."""
    if agency_id not in agency_ids:
        raise DomainError(_l("This agency is not rated in this survey."))
    if rater_agency_id is not None and rater_agency_id == agency_id:
        raise DomainError(_l("An agency never rates itself."))


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
    check_rated(agency_id, rater_agency_id, agency_ids)
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


def submit_single(
    session: Session,
    *,
    campaign: CampaignRef,
    agency_ids: set[int],
    agency_id: int,
    answers: dict[str, str | None],
    submission_key: str,
    duration_seconds: int | None,
    flags: Sequence[tuple[FlagReason, str]],
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


_SPENT = _l("This code has already been used. Each code can be used once.")

# ``submit_sitting`` on PostgreSQL: the same writes in one statement, one round trip instead of
# four (the token consumed, the draft dropped, one response per rated agency and its answers).
# Nothing is stored unless this statement consumed the token: the responses are selected from
# the consumed row, so a token spent by another phone first (its UPDATE waits for the other's
# commit, then finds ``used_on`` set) returns no row and stores nothing.
_SUBMIT_SITTING_POSTGRESQL = text(
    """
    WITH consumed AS (
        UPDATE tokens SET used_on = :today
        WHERE token_hash = :token_hash AND used_on IS NULL AND revoked_at IS NULL
        RETURNING token_hash
    ), dropped AS (
        DELETE FROM drafts WHERE owner_hash IN (SELECT token_hash FROM consumed)
    ), stored AS (
        INSERT INTO responses (campaign_id, agency_id, rater_agency_id,
                               questionnaire_version_id, channel, submission_key, submitted_at)
        SELECT :campaign_id, rated.agency_id, CAST(:rater_agency_id AS integer),
               :questionnaire_version_id, :channel, :submission_key, :submitted_at
        FROM consumed CROSS JOIN unnest(CAST(:agency_ids AS integer[])) AS rated(agency_id)
        RETURNING id, agency_id
    ), kept AS (
        INSERT INTO answers (response_id, item_id, value)
        SELECT stored.id, given.item_id, given.value
        FROM stored JOIN unnest(CAST(:answer_agency_ids AS integer[]),
                                CAST(:item_ids AS varchar[]),
                                CAST(:item_values AS text[])) AS given(agency_id, item_id, value)
          ON given.agency_id = stored.agency_id
    )
    SELECT id FROM stored ORDER BY id
    """
).bindparams(
    bindparam("today", type_=Date()),
    bindparam("token_hash", type_=String()),
    bindparam("campaign_id", type_=Integer()),
    bindparam("questionnaire_version_id", type_=Integer()),
    bindparam("channel", type_=String()),
    bindparam("submission_key", type_=String()),
    bindparam("submitted_at", type_=UTCDateTime()),
)


def _submit_sitting_values(
    campaign: CampaignRef,
    token_hash: str,
    rater_agency_id: int | None,
    answers_by_agency: dict[int, dict[str, str | None]],
    submission_key: str,
    today: dt.date,
) -> dict:
    given = [
        (agency_id, item_id, value)
        for agency_id, answers in answers_by_agency.items()
        for item_id, value in answers.items()
    ]
    return {
        "today": today,
        "token_hash": token_hash,
        "campaign_id": campaign.id,
        "rater_agency_id": rater_agency_id,
        "questionnaire_version_id": campaign.questionnaire_version_id,
        "channel": Channel.web.value,
        "submission_key": submission_key,
        "submitted_at": utcnow(),
        "agency_ids": list(answers_by_agency),
        "answer_agency_ids": [agency_id for agency_id, _, _ in given],
        "item_ids": [item_id for _, item_id, _ in given],
        "item_values": [value for _, _, value in given],
    }


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
    for agency_id in answers_by_agency:
        check_rated(agency_id, rater_agency_id, agency_ids)
    if session.get_bind().dialect.name == "postgresql":
        response_ids = list(
            session.scalars(
                _SUBMIT_SITTING_POSTGRESQL,
                _submit_sitting_values(
                    campaign, token_hash, rater_agency_id, answers_by_agency, submission_key, today
                ),
            )
        )
    else:
        response_ids = _submit_sitting_statements(
            session, campaign, agency_ids, token_hash, rater_agency_id, answers_by_agency,
            submission_key, today,
        )  # fmt: skip
    if not response_ids:  # another phone spent the token first: nothing was stored
        raise TokenSpent(_SPENT)
    logger.debug(
        "token sitting submitted in campaign %s: %d agencies", campaign.id, len(response_ids)
    )
    return response_ids


def _submit_sitting_statements(
    session, campaign, agency_ids, token_hash, rater_agency_id, answers_by_agency, key, today
) -> list[int]:
    """``submit_sitting``'s writes one statement at a time (SQLite): the token UPDATE first,
    then the responses and the draft; no response (and no write) when the token is spent."""
    if not consume_token(session, token_hash, today):
        return []
    response_ids = [
        insert_response(
            session,
            campaign=campaign,
            agency_id=agency_id,
            rater_agency_id=rater_agency_id,
            answers=answers,
            channel=Channel.web,
            submission_key=key,
            agency_ids=agency_ids,
        )
        for agency_id, answers in answers_by_agency.items()
    ]
    session.execute(_DROP_DRAFT, {"owner": token_hash})
    return response_ids


def save_draft(session: Session, *, campaign: Campaign, token_hash: str, answers: dict) -> None:
    """Write the sitting's answers so far: one upsert, so a token's first save cannot meet a
    concurrent first save with a duplicate key (a select, then an insert, could)."""
    dialect = session.get_bind().dialect.name
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    statement = upsert(Draft).values(
        campaign_id=campaign.id,
        owner_hash=token_hash,
        answers=answers,
        started_at=now,
        updated_at=now,
    )
    statement = statement.on_conflict_do_update(
        index_elements=[Draft.owner_hash],
        set_={"answers": statement.excluded.answers, "updated_at": statement.excluded.updated_at},
    )
    session.execute(statement)
