"""Issue 17 item 1: one page load, then many POSTs reusing its signed render time, each with a
made-up device cookie and a new form key: every one is kept, and every one is flagged."""

from __future__ import annotations

import secrets

from survey.responses.models import FlagReason
from tests.responses.public.conftest import VALID_ANSWERS, make_campaign
from tests.responses.public.test_open_link import agency_url, flags_of, open_form

POSTS = 12


def test_a_reused_render_with_made_up_devices_is_kept_and_flagged(app, db_session, world):
    campaign = make_campaign(db_session, world, min_seconds=0)
    _, hidden = open_form(app.test_client(), campaign)
    for _ in range(POSTS):
        script = app.test_client()
        script.set_cookie("sv_device", secrets.token_urlsafe(16))  # made up
        data = {**VALID_ANSWERS, "_t": hidden["_t"], "_key": secrets.token_urlsafe(24)}
        assert script.post(agency_url(campaign), data=data).status_code == 303
    stored = flags_of(db_session, campaign)
    assert len(stored) == POSTS  # keep, never refuse
    assert all({FlagReason.too_fast, FlagReason.device_budget} <= reasons for reasons in stored)


def test_the_render_that_issued_the_stamp_is_accepted_once(client, db_session, world):
    campaign = make_campaign(db_session, world, min_seconds=0)
    _, hidden = open_form(client, campaign)
    assert client.post(agency_url(campaign), data={**VALID_ANSWERS, **hidden}).status_code == 303
    again = {**VALID_ANSWERS, **hidden}  # the same form sent again: the same submission
    assert client.post(agency_url(campaign), data=again).status_code == 303
    other_key = {**VALID_ANSWERS, "_t": hidden["_t"], "_key": secrets.token_urlsafe(24)}
    client.post(agency_url(campaign), data=other_key)
    assert flags_of(db_session, campaign) == [set(), {FlagReason.too_fast}]


def test_a_server_issued_device_id_is_recognised(client, db_session, world):
    campaign = make_campaign(db_session, world, min_seconds=0)
    _, hidden = open_form(client, campaign)
    assert client.get_cookie("sv_device").value.count(".") == 1  # id.signature
    client.post(agency_url(campaign), data={**VALID_ANSWERS, **hidden})
    assert flags_of(db_session, campaign) == [set()]
