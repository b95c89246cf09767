"""Campaigns to answer: built straight through the models, with a small inline questionnaire."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets

import pytest

from survey.campaigns.links import hash_token, new_code, new_token
from survey.campaigns.models import AccessMode, Campaign, CampaignAgency, CampaignState, Token
from survey.db import utcnow
from survey.questionnaires.models import Questionnaire, QuestionnaireVersion

SCALE = {
    "points": 5,
    "labels": ["很不满意", "不满意", "一般", "满意", "很满意"],
    "dont_know": "不了解",
}


def definition(group: str = "public") -> dict:
    return {
        "slug": f"test-{group}",
        "version": 1,
        "group": group,
        "title": "测试问卷",
        "intro": "感谢您参与评价。",
        "closing": "感谢您的支持！",
        "scale": SCALE,
        "items": [
            {
                "id": "E1",
                "type": "rating",
                "text": "该单位聚焦主责主业的情况",
                "dimension": "effectiveness",
                "aspect": "focus",
                "required": True,
            },
            {
                "id": "C1",
                "type": "rating",
                "text": "该单位配合有关机关开展工作的情况",
                "dimension": "cooperation",
                "aspect": "coordination",
                "required": True,
            },
            {
                "id": "contact",
                "type": "single",
                "text": "您与该单位打交道的主要方式是？",
                "required": False,
                "options": [
                    {"code": "window", "label": "窗口办事"},
                    {"code": "online", "label": "网上办事"},
                ],
            },
            {
                "id": "comment",
                "type": "text",
                "text": "您对该单位还有哪些意见和建议？",
                "required": False,
                "max_length": 200,
            },
        ],
    }


VALID_ANSWERS = {"E1": "4", "C1": "dk", "contact": "window", "comment": "办事效率高"}


def make_version(session, group: str = "public", data: dict | None = None) -> QuestionnaireVersion:
    data = dict(data or definition(group))
    data["slug"] = f"{data['slug']}-{secrets.token_hex(3)}"
    questionnaire = Questionnaire(slug=data["slug"], group=group)
    session.add(questionnaire)
    session.flush()
    version = QuestionnaireVersion(
        questionnaire_id=questionnaire.id,
        number=1,
        title=data["title"],
        definition=data,
        content_hash=hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest(),
    )
    session.add(version)
    session.flush()
    return version


def make_campaign(
    session,
    world,
    *,
    group: str = "public",
    tokens: bool = False,
    state: CampaignState = CampaignState.open,
    agencies=None,
    min_seconds: int = 0,
    device_limit: int = 100,
    address_limit: int = 1000,
    window: tuple[dt.timedelta, dt.timedelta] = (dt.timedelta(days=-1), dt.timedelta(days=7)),
    data: dict | None = None,
    year=None,
    title: str | None = None,
) -> Campaign:
    now = utcnow()
    campaign = Campaign(
        year_id=(year or world.year).id,
        questionnaire_version_id=make_version(session, group, data).id,
        title=title or f"2026年度{group}评价",
        respondent_group=group,
        code=new_code(),
        access_mode=AccessMode.tokens if tokens else AccessMode.open_link,
        opens_at=now + window[0],
        closes_at=now + window[1],
        min_seconds=min_seconds,
        device_limit=device_limit,
        address_limit=address_limit,
    )
    session.add(campaign)
    session.flush()
    for position, agency in enumerate(agencies or [world.agency_a, world.agency_b]):
        session.add(
            CampaignAgency(
                campaign_id=campaign.id, agency_id=agency.id, position=position, code=new_code()
            )
        )
    session.flush()
    session.refresh(campaign)
    if state is not CampaignState.draft:
        campaign.open()
    if state is CampaignState.closed:
        campaign.close()
    session.flush()
    return campaign


def issue_tokens(session, campaign, count: int = 1, rater_agency=None) -> list[str]:
    plain = [new_token() for _ in range(count)]
    session.add_all(
        Token(
            campaign_id=campaign.id,
            token_hash=hash_token(token),
            rater_agency_id=rater_agency.id if rater_agency else None,
        )
        for token in plain
    )
    session.flush()
    return plain


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields of the page's form (key, stamp, CSRF)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


@pytest.fixture
def public_campaign(db_session, world):
    return make_campaign(db_session, world)
