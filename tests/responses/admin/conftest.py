"""Campaigns with responses for the results pages, built straight through the models."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from sqlalchemy import insert

import tests.responses.public.conftest as shared
from survey.campaigns.models import CampaignState
from survey.db import utcnow
from survey.responses.models import Answer, Channel, FlagReason, Response, ResponseFlag
from survey.responses.services import store_response


def definition(group: str) -> dict:
    return {
        "slug": f"admin-test-{group}",
        "version": 1,
        "group": group,
        "title": "测试问卷",
        "intro": "",
        "closing": "",
        "scale": {"points": 5, "labels": ["1", "2", "3", "4", "5"], "dont_know": "不了解"},
        "items": [
            {
                "id": "E1",
                "type": "rating",
                "text": "聚焦主责主业",
                "required": True,
                "dimension": "effectiveness",
                "aspect": "focus",
            },
            {
                "id": "C1",
                "type": "rating",
                "text": "配合有关机关",
                "required": False,
                "dimension": "cooperation",
                "aspect": "coordination",
            },
            {
                "id": "contact",
                "type": "single",
                "text": "打交道的方式",
                "required": False,
                "options": [
                    {"code": "window", "label": "窗口办事"},
                    {"code": "online", "label": "网上办事"},
                ],
            },
            {
                "id": "topics",
                "type": "multiple",
                "text": "关注的方面",
                "required": False,
                "options": [
                    {"code": "speed", "label": "办事效率"},
                    {"code": "attitude", "label": "服务态度"},
                    {"code": "fairness", "label": "公平公正"},
                ],
                "max_choices": 2,
            },
            {
                "id": "comment",
                "type": "text",
                "text": "意见和建议",
                "required": False,
                "max_length": 50,
            },
        ],
    }


def make_campaign(
    session, world, *, group="public", state=CampaignState.open, agencies=None, year=None
):
    """A campaign with this folder's questionnaire (built as the respondents' tests build one)."""
    return shared.make_campaign(
        session,
        world,
        group=group,
        tokens=group == "peer",
        state=state,
        agencies=agencies,
        year=year,
        data=definition(group),
        title=f"测试{group}评价",
        window=(dt.timedelta(days=-3), dt.timedelta(days=7)),
    )


def add_response(
    session, campaign, agency, answers, *, rater=None, flags=(), channel=Channel.web, duration=60
):
    return store_response(
        session,
        campaign=campaign,
        agency_id=agency.id,
        rater_agency_id=rater.id if rater else None,
        answers=answers,
        channel=channel,
        submission_key=secrets.token_hex(16),
        duration_seconds=duration,
        flags=[(reason, "test") for reason in flags],
    )


def bulk_responses(
    session, campaign, agency, count: int, *, flagged_every: int = 0, submitted_at=None, key="bulk"
) -> None:
    """``count`` responses in a few executemany statements (fast enough for 10,000)."""
    now = submitted_at or utcnow()
    rows = [
        {
            "campaign_id": campaign.id,
            "agency_id": agency.id,
            "rater_agency_id": None,
            "questionnaire_version_id": campaign.questionnaire_version_id,
            "channel": Channel.web,
            "submission_key": f"{key}-{i}",
            "submitted_at": now,
            "duration_seconds": 30,
        }
        for i in range(count)
    ]
    ids = list(
        session.scalars(insert(Response).returning(Response.id, sort_by_parameter_order=True), rows)
    )
    answers = []
    for i, response_id in enumerate(ids):
        answers.append({"response_id": response_id, "item_id": "E1", "value": str(i % 5 + 1)})
        answers.append(
            {"response_id": response_id, "item_id": "C1", "value": None if i % 7 == 0 else "4"}
        )
    session.execute(insert(Answer), answers)
    if flagged_every:
        session.execute(
            insert(ResponseFlag),
            [
                {"response_id": rid, "reason": FlagReason.too_fast, "detail": ""}
                for rid in ids[::flagged_every]
            ],
        )
    session.flush()


@pytest.fixture
def campaign(db_session, world):
    campaign = make_campaign(db_session, world)
    db_session.commit()
    return campaign
