"""The final submit's writes (services.submit_sitting: one statement on PostgreSQL, four on
SQLite) and the fresh write transaction it begins on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from survey.campaigns.links import hash_token
from survey.campaigns.models import Token
from survey.db import fresh_sqlite_transaction
from survey.responses import services
from survey.responses.models import Answer, Draft, Response
from tests.responses.public.conftest import issue_tokens, make_campaign


def _draft(db_session, campaign, token):
    services.save_draft(db_session, campaign=campaign, token_hash=hash_token(token), answers={})


def _submit(db_session, campaign, token, answers_by_agency, key="k1", rater=None):
    return services.submit_sitting(
        db_session,
        campaign=services.CampaignRef.of(campaign),
        agency_ids={link.agency_id for link in campaign.campaign_agencies},
        token_hash=hash_token(token),
        rater_agency_id=rater,
        answers_by_agency=answers_by_agency,
        submission_key=key,
        today=campaign.opens_at.date(),
    )


def test_each_agency_keeps_its_own_answers_and_the_draft_goes(db_session, world):
    campaign = make_campaign(
        db_session, world, group="deputy", tokens=True, agencies=[world.agency_a, world.agency_b]
    )
    (token,) = issue_tokens(db_session, campaign)
    _draft(db_session, campaign, token)
    answers = {
        world.agency_a.id: {"E1": "5", "C1": None},
        world.agency_b.id: {"E1": "2", "C1": "3", "comment": "窗口人少"},
    }
    ids = _submit(db_session, campaign, token, answers)
    assert len(ids) == 2
    stored = db_session.scalars(select(Response).where(Response.id.in_(ids))).all()
    assert {
        response.agency_id: {answer.item_id: answer.value for answer in response.answers}
        for response in stored
    } == answers
    assert {response.submission_key for response in stored} == {"k1"}
    assert db_session.scalar(select(Draft).where(Draft.campaign_id == campaign.id)) is None
    token_row = db_session.scalar(select(Token).where(Token.campaign_id == campaign.id))
    assert token_row.used_on == campaign.opens_at.date()


def test_a_spent_token_stores_nothing(db_session, world):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    (token,) = issue_tokens(db_session, campaign)
    _submit(db_session, campaign, token, {world.agency_a.id: {"E1": "4", "C1": "4"}})
    _draft(db_session, campaign, token)  # a draft saved again meanwhile is left alone
    with pytest.raises(services.TokenSpent):
        _submit(db_session, campaign, token, {world.agency_b.id: {"E1": "1"}}, key="k2")
    assert db_session.scalar(select(func.count()).select_from(Response)) == 1
    assert db_session.scalar(select(func.count()).select_from(Answer)) == 2
    assert db_session.scalar(select(func.count()).select_from(Draft)) == 1


def test_a_peer_never_stores_a_rating_of_itself(db_session, world):
    campaign = make_campaign(db_session, world, group="peer", tokens=True)
    (token,) = issue_tokens(db_session, campaign, rater_agency=world.agency_a)
    with pytest.raises(services.DomainError):
        _submit(
            db_session,
            campaign,
            token,
            {world.agency_b.id: {"E1": "4"}, world.agency_a.id: {"E1": "5"}},
            rater=world.agency_a.id,
        )
    assert db_session.scalar(select(Token.used_on).where(Token.campaign_id == campaign.id)) is None


def test_the_write_after_a_read_sees_what_others_committed_meanwhile(committed):
    """SQLite: a read snapshot upgraded to a write after another connection committed is
    refused at once ("database is locked"); the fresh transaction begins after that commit."""
    app, session, world = committed
    engine = app.extensions["survey.db"]["engine"]
    if make_url(str(engine.url)).get_backend_name() != "sqlite":
        pytest.skip("SQLite's snapshots")
    campaign = make_campaign(session, world, group="deputy", tokens=True)
    first, second = issue_tokens(session, campaign, count=2)
    session.commit()
    request_session = app.extensions["survey.db"]["session_factory"]()
    assert request_session.scalar(select(func.count()).select_from(Token)) == 2  # the read
    with engine.begin() as other:  # another request writes and commits meanwhile
        other.execute(
            text("UPDATE tokens SET batch = 2 WHERE token_hash = :h"), {"h": hash_token(first)}
        )
    fresh_sqlite_transaction(request_session)
    assert services.consume_token(request_session, hash_token(second), campaign.opens_at.date())
    request_session.commit()
    request_session.close()
    used = select(func.count()).select_from(Token).where(Token.used_on.is_not(None))
    assert session.scalar(used) == 1


def test_sqlite_syncs_every_commit(committed):
    """An acknowledged submit survives a power cut: the WAL is synced at each commit."""
    app, _session, _world = committed
    engine = app.extensions["survey.db"]["engine"]
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's pragma")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
