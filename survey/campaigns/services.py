"""Campaign lifecycle and tokens. Services flush and audit; the view commits once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, insert, select, update
from sqlalchemy.orm import Session

from survey.agencies.models import Agency
from survey.auditing import audited, record
from survey.campaigns.links import hash_token, new_code, new_token
from survey.campaigns.models import AccessMode, Campaign, CampaignAgency, CampaignState, Token
from survey.db import utcnow
from survey.errors import DomainError
from survey.questionnaires.models import QuestionnaireVersion
from survey.years.models import AssessmentYear, YearState

logger = logging.getLogger(__name__)

MAX_TOKENS_PER_BATCH = 5000
FIELDS = (
    "title",
    "questionnaire_version_id",
    "respondent_group",
    "access_mode",
    "opens_at",
    "closes_at",
    "min_seconds",
    "device_limit",
    "address_limit",
)


@dataclass(frozen=True)
class CampaignSettings:
    title: str
    version: QuestionnaireVersion
    agency_ids: Sequence[int]
    opens_at: dt.datetime
    closes_at: dt.datetime
    access_mode: AccessMode
    min_seconds: int = 20
    device_limit: int = 1
    address_limit: int = 200


def _check(session: Session, year: AssessmentYear, settings: CampaignSettings) -> str:
    if year.state is YearState.closed:
        raise DomainError(_l("The year is closed; it takes no new surveys."))
    if settings.closes_at <= settings.opens_at:
        raise DomainError(_l("The survey must close after it opens."))
    group = settings.version.definition["group"]
    if group == "peer" and settings.access_mode is not AccessMode.tokens:
        raise DomainError(
            _l("Peer review needs single-use tokens: each token says which agency is rating.")
        )
    if not settings.agency_ids:
        raise DomainError(_l("Choose at least one agency to rate."))
    agencies = session.scalars(select(Agency).where(Agency.id.in_(settings.agency_ids))).all()
    if len(agencies) != len(set(settings.agency_ids)) or any(
        agency.jurisdiction_id != year.jurisdiction_id or agency.is_deleted for agency in agencies
    ):
        raise DomainError(_l("Only the year's own agencies can be rated."))
    if group == "peer" and len(agencies) < 2:
        raise DomainError(_l("Peer review needs at least two agencies."))
    return group


def _set_agencies(session: Session, campaign: Campaign, agency_ids: Sequence[int]) -> None:
    for link in list(campaign.campaign_agencies):
        session.delete(link)
    session.flush()
    for position, agency_id in enumerate(dict.fromkeys(agency_ids)):
        session.add(
            CampaignAgency(
                campaign_id=campaign.id, agency_id=agency_id, position=position, code=new_code()
            )
        )
    session.flush()
    session.refresh(campaign)


def _apply(campaign: Campaign, settings: CampaignSettings, group: str) -> None:
    campaign.title = settings.title
    campaign.questionnaire_version_id = settings.version.id
    campaign.respondent_group = group
    campaign.access_mode = settings.access_mode
    campaign.opens_at = settings.opens_at
    campaign.closes_at = settings.closes_at
    campaign.min_seconds = settings.min_seconds
    campaign.device_limit = settings.device_limit
    campaign.address_limit = settings.address_limit


def create_campaign(
    session: Session, actor, year: AssessmentYear, settings: CampaignSettings
) -> Campaign:
    group = _check(session, year, settings)
    campaign = Campaign(year_id=year.id, code=new_code())
    _apply(campaign, settings, group)
    session.add(campaign)
    session.flush()
    _set_agencies(session, campaign, settings.agency_ids)
    record(
        session,
        actor,
        "campaign.create",
        campaign,
        jurisdiction_id=year.jurisdiction_id,
        after={**_snapshot(campaign), "agencies": list(settings.agency_ids)},
    )
    return campaign


def _snapshot(campaign: Campaign) -> dict:
    return {name: getattr(campaign, name) for name in FIELDS}


def update_campaign(session: Session, actor, campaign: Campaign, settings: CampaignSettings):
    if campaign.state is not CampaignState.draft:
        raise DomainError(_l("Only a draft survey can be edited; an opened one is fixed."))
    group = _check(session, campaign.year, settings)
    with audited(
        session,
        actor,
        "campaign.update",
        campaign,
        FIELDS,
        jurisdiction_id=campaign.year.jurisdiction_id,
    ):
        _apply(campaign, settings, group)
        _set_agencies(session, campaign, settings.agency_ids)


def open_campaign(session: Session, actor, campaign: Campaign) -> None:
    if campaign.year.state is YearState.closed:
        raise DomainError(_l("The year is closed; it takes no new surveys."))
    with audited(
        session,
        actor,
        "campaign.open",
        campaign,
        ("state",),
        jurisdiction_id=campaign.year.jurisdiction_id,
    ):
        campaign.open()
    logger.info("campaign %s opened by %s", campaign.id, actor.username)


def close_campaign(session: Session, actor, campaign: Campaign) -> None:
    with audited(
        session,
        actor,
        "campaign.close",
        campaign,
        ("state",),
        jurisdiction_id=campaign.year.jurisdiction_id,
    ):
        campaign.close()
    logger.info("campaign %s closed by %s", campaign.id, actor.username)


def issue_tokens(
    session: Session, actor, campaign: Campaign, count: int, rater_agency_ids: Sequence[int | None]
) -> list[tuple[str, int | None]]:
    """``count`` new tokens for each rater agency (None: no rater agency). Only the hashes are
    stored; the plain tokens are returned once, for the caller to hand out (CSV, PDF)."""
    if not campaign.uses_tokens:
        raise DomainError(_l("This survey uses an open link; it has no tokens."))
    if campaign.state is CampaignState.closed:
        raise DomainError(_l("This survey is closed; no more tokens can be issued."))
    if not 1 <= count <= MAX_TOKENS_PER_BATCH:
        raise DomainError(_l("Issue from 1 to %(max)d tokens at a time.", max=MAX_TOKENS_PER_BATCH))
    member_ids = {link.agency_id for link in campaign.campaign_agencies}
    if campaign.respondent_group == "peer":
        if not rater_agency_ids or any(r is None or r not in member_ids for r in rater_agency_ids):
            raise DomainError(
                _l("Peer-review tokens belong to one of the survey's agencies: choose which.")
            )
    elif any(rater is not None for rater in rater_agency_ids):
        raise DomainError(_l("Only peer-review tokens name a rating agency."))
    batch = (
        session.scalar(select(func.max(Token.batch)).where(Token.campaign_id == campaign.id)) or 0
    ) + 1
    issued = [(new_token(), rater) for rater in (rater_agency_ids or [None]) for _ in range(count)]
    now = utcnow()
    session.execute(
        insert(Token),
        [
            {
                "campaign_id": campaign.id,
                "token_hash": hash_token(token),
                "batch": batch,
                "rater_agency_id": rater,
                "issued_at": now,
            }
            for token, rater in issued
        ],
    )
    # The log names how many, never the tokens.
    record(
        session,
        actor,
        "campaign.tokens",
        campaign,
        jurisdiction_id=campaign.year.jurisdiction_id,
        after={"batch": batch, "count": len(issued)},
    )
    logger.info("campaign %s: %d tokens issued in batch %d", campaign.id, len(issued), batch)
    return issued


def revoke_batch(session: Session, actor, campaign: Campaign, batch: int) -> int:
    """Revoke the unused tokens of one batch (lost or wrongly printed sheets); used ones stay."""
    result = session.execute(
        update(Token)
        .where(
            Token.campaign_id == campaign.id,
            Token.batch == batch,
            Token.used_on.is_(None),
            Token.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0:
        raise DomainError(_l("This batch has no unused tokens to revoke."))
    record(
        session,
        actor,
        "campaign.revoke",
        campaign,
        jurisdiction_id=campaign.year.jurisdiction_id,
        after={"batch": batch, "revoked": result.rowcount},
    )
    return result.rowcount


@dataclass(frozen=True)
class TokenCounts:
    batch: int | None
    issued: int
    used: int
    revoked: int

    @property
    def unused(self) -> int:
        return self.issued - self.used - self.revoked


def token_counts(session: Session, campaign: Campaign) -> list[TokenCounts]:
    """Per batch, then the total (batch None): issued / used / unused / revoked."""
    used = func.sum(case((Token.used_on.is_not(None), 1), else_=0))
    revoked = func.sum(case((Token.revoked_at.is_not(None), 1), else_=0))
    rows = session.execute(
        select(Token.batch, func.count(), used, revoked)
        .where(Token.campaign_id == campaign.id)
        .group_by(Token.batch)
        .order_by(Token.batch)
    ).all()
    batches = [TokenCounts(b, n, int(u or 0), int(r or 0)) for b, n, u, r in rows]
    total = TokenCounts(
        None,
        sum(c.issued for c in batches),
        sum(c.used for c in batches),
        sum(c.revoked for c in batches),
    )
    return [*batches, total]
