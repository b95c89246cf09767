"""The demo's campaigns and synthetic responses: states and times consistent, peers never rate
themselves, some 不了解, a few flagged responses and one reviewed."""

from __future__ import annotations

import sys

from sqlalchemy import func, select

from survey.audit.models import AuditEntry
from survey.campaigns.models import Campaign, CampaignState, Token
from survey.db import utcnow
from survey.demo import evaluation
from survey.responses.models import Answer, FlagReview, Response, ResponseFlag
from tests.responses.admin.conftest import make_campaign


def versions(db_session, world):
    # Versions of the test questionnaire, one per group (campaigns built only to get them).
    return {
        group: make_campaign(db_session, world, group=group).questionnaire_version
        for group in ("public", "deputy", "peer", "grassroots")
    }


def test_demo_campaigns_and_responses(app, db_session, world):
    now = utcnow()
    with app.app_context():
        summary = evaluation.create_campaigns(
            db_session, world.year, versions(db_session, world), world.supervisor, now=now
        )
    db_session.commit()
    assert summary.campaigns == 4 and summary.responses > 1800  # 1,800 public answers alone
    demo = {
        c.respondent_group: c
        for c in db_session.scalars(select(Campaign).where(Campaign.title.startswith("2026年度")))
    }
    assert {g: c.state for g, c in demo.items()} == {
        "public": CampaignState.open,
        "deputy": CampaignState.open,
        "peer": CampaignState.closed,
        "grassroots": CampaignState.closed,
    }
    for campaign in demo.values():
        assert campaign.opened_at == campaign.opens_at < now
        if campaign.state is CampaignState.open:
            assert campaign.accepts_answers(now) and campaign.closed_at is None
        else:
            assert campaign.closed_at == campaign.closes_at <= now
        first, last = db_session.execute(
            select(func.min(Response.submitted_at), func.max(Response.submitted_at)).where(
                Response.campaign_id == campaign.id
            )
        ).one()
        assert campaign.opens_at <= first <= last < min(campaign.closes_at, now)
        assert {a.id for a in campaign.agencies} == {world.agency_a.id, world.agency_b.id}

    peer = demo["peer"]
    rows = db_session.execute(
        select(Response.agency_id, Response.rater_agency_id).where(Response.campaign_id == peer.id)
    ).all()
    assert rows and all(rater is not None and rater != agency for agency, rater in rows)
    raters = db_session.scalars(select(Token.rater_agency_id).where(Token.campaign_id == peer.id))
    assert set(raters) == {world.agency_a.id, world.agency_b.id}

    deputy_tokens = db_session.scalars(select(Token).where(Token.campaign_id == demo["deputy"].id))
    used = [t for t in deputy_tokens if t.used_on is not None]
    sittings = db_session.scalar(
        select(func.count(func.distinct(Response.submission_key))).where(
            Response.campaign_id == demo["deputy"].id
        )
    )
    assert len(used) == sittings and 0 < sittings

    dont_know = db_session.scalar(
        select(func.count()).select_from(Answer).where(Answer.value.is_(None))
    )
    assert dont_know > 50
    flagged = db_session.scalar(
        select(func.count(func.distinct(ResponseFlag.response_id)))
        .join(Response, Response.id == ResponseFlag.response_id)
        .where(Response.campaign_id == demo["public"].id)
    )
    assert 5 <= flagged <= 30
    review = db_session.scalar(select(FlagReview))
    assert review.include and review.reviewer_id == world.supervisor.id
    assert db_session.scalar(select(func.count(FlagReview.id))) == 1
    assert db_session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action == "response.review")
    )


def test_demo_skips_campaigns_without_the_questionnaire_loader(app, db_session, world, monkeypatch):
    monkeypatch.setitem(sys.modules, "survey.questionnaires.loading", None)
    with app.app_context():
        summary = evaluation.load(db_session, world.year, world.supervisor)
    assert summary.campaigns == 0
    assert db_session.scalar(select(func.count(Campaign.id))) == 0
