"""Open-link budgets shared through Redis: two app servers count against one budget, and a
Redis outage fails closed for budgets without losing the submission (stored and flagged)."""

from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import select

from survey import create_app
from survey.responses.models import FlagReason, Response
from survey.responses.public import integrity
from tests.conftest import app_settings
from tests.fixtures.client import CSRFClient
from tests.responses.public.conftest import VALID_ANSWERS, form_fields, make_campaign

REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs SURVEY_TEST_REDIS_URL (Redis)")


@pytest.fixture
def servers(app, tmp_path):
    """Make app servers sharing the test's database connection, with the given Redis."""
    made = []

    def make(redis_url: str | None, prefix: str):
        settings = {
            **app_settings(app.config["DATABASE_URL"], tmp_path),
            "SECRET_KEY": app.config["SECRET_KEY"],
            "RATELIMIT_KEY_PREFIX": prefix,
        }
        if redis_url:
            settings["REDIS_URL"] = redis_url
        server = create_app(settings)
        server.test_client_class = CSRFClient
        # Share the test's transaction so the campaign made in the test is visible.
        holder = server.extensions["survey.db"]
        holder["engine"].dispose()
        holder["session_factory"] = app.extensions["survey.db"]["session_factory"]
        made.append(server)
        return server

    return make


def submit_from(server, campaign, device: str):
    phone = server.test_client()
    with server.test_request_context():
        phone.set_cookie("sv_device", integrity.new_device_id(device))  # as the server issues
    url = f"/A/{campaign.campaign_agencies[0].code}"
    fields = form_fields(phone.get(url).get_data(as_text=True))
    data = {**VALID_ANSWERS, "_key": fields["_key"], "_t": fields["_t"]}
    return phone.post(url, data=data)


def flags(db_session, campaign):
    rows = db_session.scalars(
        select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)
    )
    return [{flag.reason for flag in row.flags} for row in rows]


@needs_redis
def test_two_servers_sharing_redis_share_one_device_budget(servers, db_session, world):
    prefix = f"test-{secrets.token_hex(4)}"
    first, second = servers(REDIS_URL, prefix), servers(REDIS_URL, prefix)
    campaign = make_campaign(db_session, world, device_limit=1)
    assert submit_from(first, campaign, "phone-1").status_code == 303
    assert submit_from(second, campaign, "phone-1").status_code == 303
    assert flags(db_session, campaign) == [set(), {FlagReason.device_budget}]


def test_in_process_budgets_are_per_server(servers, db_session, world):
    prefix = f"test-{secrets.token_hex(4)}"
    first, second = servers(None, prefix), servers(None, prefix)
    campaign = make_campaign(db_session, world, device_limit=1)
    submit_from(first, campaign, "phone-1")
    submit_from(second, campaign, "phone-1")
    submit_from(second, campaign, "phone-1")
    assert flags(db_session, campaign) == [set(), set(), {FlagReason.device_budget}]


def test_a_redis_outage_keeps_the_answer_and_flags_it(servers, db_session, world, caplog):
    # Nothing listens on port 1: every budget check fails.
    server = servers("redis://127.0.0.1:1/0", f"test-{secrets.token_hex(4)}")
    campaign = make_campaign(db_session, world)
    result = submit_from(server, campaign, "phone-1")
    assert result.status_code == 303
    assert flags(db_session, campaign) == [{FlagReason.budget_unchecked}]
    assert "budget store unavailable" in caplog.text
