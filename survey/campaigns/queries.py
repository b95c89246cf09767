"""Reading campaigns within what a user may see.

A campaign belongs to its year's jurisdiction: a district office never sees a city campaign
(404, no existence leak).
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.agencies.queries import scope_ids
from survey.campaigns.models import Campaign, CampaignState
from survey.numbers import plain_int
from survey.questionnaires.schema import Definition, parse_definition
from survey.years.models import AssessmentYear


def visible_campaigns(
    session: Session,
    user: User,
    *,
    year_id: int | None = None,
    state: CampaignState | None = None,
    group: str | None = None,
) -> list[Campaign]:
    """The user's campaigns, newest year first, narrowed by the filters that are given."""
    statement = (
        select(Campaign)
        .join(AssessmentYear, AssessmentYear.id == Campaign.year_id)
        .where(AssessmentYear.jurisdiction_id.in_(scope_ids(session, user)))
        .order_by(AssessmentYear.year.desc(), Campaign.id.desc())
    )
    if year_id is not None:
        statement = statement.where(Campaign.year_id == year_id)
    if state is not None:
        statement = statement.where(Campaign.state == state)
    if group is not None:
        statement = statement.where(Campaign.respondent_group == group)
    return list(session.scalars(statement))


def campaign_or_404(session: Session, user: User, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.year.jurisdiction_id not in scope_ids(session, user):
        abort(404)
    return campaign


def find_campaign(session: Session, key: str) -> Campaign | None:
    """A campaign by its public code or its id (command line)."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == key.strip().upper()))
    number = plain_int(key.strip())
    if campaign is None and number is not None:
        campaign = session.get(Campaign, number)
    return campaign


_DEFINITIONS: dict[tuple[int, str], Definition] = {}


def definition_of(campaign: Campaign) -> Definition:
    """The campaign's questionnaire, parsed once per process: a version never changes (the
    database refuses it), and the campaign's random public code in the key keeps two
    databases served by one process (tests) apart without reading the version again."""
    key = (campaign.code, campaign.questionnaire_version_id)
    if key not in _DEFINITIONS:
        if len(_DEFINITIONS) > 256:
            _DEFINITIONS.clear()
        version = campaign.questionnaire_version
        _DEFINITIONS[key] = parse_definition(version.definition, where=version.label)
    return _DEFINITIONS[key]
