"""Token links and multi-agency sittings (deputies, peer review)."""

from __future__ import annotations

from sqlalchemy import select

from survey.campaigns.models import Token
from survey.responses.models import Draft, Response
from tests.responses.public.conftest import (
    VALID_ANSWERS,
    form_fields,
    issue_tokens,
    make_campaign,
)

RATING = {"E1": "5", "C1": "4"}


def sitting_url(campaign, agency=None) -> str:
    base = f"/S/{campaign.code}/sitting"
    return base if agency is None else f"{base}/{agency.id}"


def enter(client, token: str):
    """Scan the code: /T/<token> always redirects to /T first, which answers."""
    scanned = client.get(f"/T/{token}")
    assert scanned.status_code == 303 and scanned.headers["Location"].endswith("/T")
    return client.get("/T")


def session_values(client) -> str:
    with client.session_transaction() as browser_session:
        return repr(dict(browser_session))


def test_a_token_link_redirects_to_a_clean_address(client, db_session, world):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    (token,) = issue_tokens(db_session, campaign)
    scanned = client.get(f"/T/{token}")
    assert scanned.status_code == 303 and scanned.headers["Location"].endswith("/T")
    entered = client.get("/T")
    assert entered.status_code == 303
    assert entered.headers["Location"].endswith(sitting_url(campaign))
    assert token not in entered.headers["Location"]
    page = client.get(entered.headers["Location"]).get_data(as_text=True)
    assert token not in page
    assert token not in session_values(client)  # only its hash is kept
    assert "0" in page and world.agency_a.name in page and world.agency_b.name in page


def test_a_typed_code_in_any_case_opens_the_sitting(client, db_session, world):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    (token,) = issue_tokens(db_session, campaign)
    typed = "-".join(token[i : i + 4] for i in range(0, len(token), 4)).lower()
    entered = client.post(f"/S/{campaign.code}/token", data={"token": typed})
    assert entered.status_code == 303
    bad = client.post(f"/S/{campaign.code}/token", data={"token": "ABC"})
    assert "26" in bad.get_data(as_text=True)


def test_unknown_and_revoked_tokens_are_refused(client, db_session, world):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    (token,) = issue_tokens(db_session, campaign)
    row = db_session.scalar(select(Token).where(Token.campaign_id == campaign.id))
    from survey.db import utcnow

    row.revoked_at = utcnow()
    db_session.flush()
    for code in (token, "A" * 26, "not-a-token"):
        page = enter(client, code)
        assert page.status_code == 404
        assert "无效" in page.get_data(as_text=True)


def rate(client, campaign, agency, answers=RATING):
    page = client.get(sitting_url(campaign, agency))
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(sitting_url(campaign, agency), data=answers)


def final_submit(client, campaign):
    overview = client.get(sitting_url(campaign)).get_data(as_text=True)
    key = form_fields(overview)["_key"]
    return client.post(f"{sitting_url(campaign)}/submit", data={"_key": key}), key


def test_a_deputy_rates_page_by_page_resumes_elsewhere_and_submits_once(app, db_session, world):
    campaign = make_campaign(
        db_session, world, group="deputy", tokens=True, agencies=[world.agency_a, world.agency_b]
    )
    (token,) = issue_tokens(db_session, campaign)
    phone = app.test_client()
    enter(phone, token)
    saved = rate(phone, campaign, world.agency_a, {**VALID_ANSWERS})
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(sitting_url(campaign, world.agency_b))
    draft = db_session.scalar(select(Draft).where(Draft.campaign_id == campaign.id))
    assert draft is not None and str(world.agency_a.id) in draft.answers

    # the same code on another phone resumes the saved progress
    other = app.test_client()
    enter(other, token)
    overview = other.get(sitting_url(campaign)).get_data(as_text=True)
    assert "1" in overview and "已评价" in overview
    revisit = other.get(sitting_url(campaign, world.agency_a)).get_data(as_text=True)
    assert "办事效率高" in revisit
    skipped = other.post(sitting_url(campaign, world.agency_b), data={"_skip": "1"})
    assert skipped.status_code == 303

    result, key = final_submit(other, campaign)
    assert result.status_code == 303 and result.headers["Location"].endswith("/done")
    stored = db_session.scalars(select(Response).where(Response.campaign_id == campaign.id)).all()
    assert [response.agency_id for response in stored] == [world.agency_a.id]  # b was skipped
    assert {a.item_id: a.value for a in stored[0].answers}["C1"] is None
    token_row = db_session.scalar(select(Token).where(Token.campaign_id == campaign.id))
    assert token_row.used_on is not None
    assert db_session.scalar(select(Draft).where(Draft.campaign_id == campaign.id)) is None

    # a double tap on the final button returns the same receipt, and counts nothing more
    again = other.post(f"{sitting_url(campaign)}/submit", data={"_key": key})
    assert again.status_code == 303 and again.headers["Location"].endswith("/done")
    assert len(db_session.scalars(select(Response)).all()) == 1

    # the code is spent: the first phone, and anyone scanning it, is told so
    assert "已使用" in enter(app.test_client(), token).get_data(as_text=True)
    assert phone.get(sitting_url(campaign)).status_code == 409


def test_a_deputy_submits_after_rating_one_agency_and_the_rest_count_as_unknown(
    client, db_session, world
):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    (token,) = issue_tokens(db_session, campaign)
    enter(client, token)
    overview = client.get(sitting_url(campaign)).get_data(as_text=True)
    assert "sitting/submit" not in overview  # nothing rated yet: no submit button
    assert "感谢您参与评价" in overview  # the introduction comes first
    nothing = client.post(f"{sitting_url(campaign)}/submit", data={"_key": "k" * 20})
    assert nothing.status_code == 200 and "请至少评价一个单位" in nothing.get_data(as_text=True)
    rate(client, campaign, world.agency_a)
    overview = client.get(sitting_url(campaign)).get_data(as_text=True)
    assert "已评价 1 个单位，共 2 个" in overview
    assert "1 个未评价的单位将按“不了解”计" in overview
    assert overview.index("sitting/submit") < overview.index(world.agency_b.name)
    result, _ = final_submit(client, campaign)
    assert result.status_code == 303 and result.headers["Location"].endswith("/done")
    (stored,) = db_session.scalars(select(Response)).all()
    assert stored.agency_id == world.agency_a.id  # agency b: no response, as if skipped
    assert db_session.scalar(select(Token)).used_on is not None


def test_a_peer_submits_only_when_every_agency_is_rated_or_skipped(client, db_session, world):
    campaign = make_campaign(
        db_session,
        world,
        group="peer",
        tokens=True,
        agencies=[world.agency_a, world.agency_b, world.agency_c],
    )
    (token,) = issue_tokens(db_session, campaign, rater_agency=world.agency_a)
    enter(client, token)
    rate(client, campaign, world.agency_b)
    assert "sitting/submit" not in client.get(sitting_url(campaign)).get_data(as_text=True)
    result = client.post(f"{sitting_url(campaign)}/submit", data={"_key": "k" * 20})
    assert result.status_code == 200
    assert "还有单位未评价" in result.get_data(as_text=True)
    assert db_session.scalars(select(Response)).all() == []


def test_a_peer_never_rates_its_own_agency(client, db_session, world):
    campaign = make_campaign(
        db_session,
        world,
        group="peer",
        tokens=True,
        agencies=[world.agency_a, world.agency_b, world.agency_c],
    )
    (token,) = issue_tokens(db_session, campaign, rater_agency=world.agency_a)
    enter(client, token)
    overview = client.get(sitting_url(campaign)).get_data(as_text=True)
    assert world.agency_a.name not in overview
    assert world.agency_b.name in overview and world.agency_c.name in overview
    own = client.get(sitting_url(campaign, world.agency_a))
    assert own.status_code == 403 and "不能评价本单位" in own.get_data(as_text=True)
    own_post = client.post(sitting_url(campaign, world.agency_a), data=RATING)
    assert own_post.status_code == 403
    rate(client, campaign, world.agency_b)
    rate(client, campaign, world.agency_c)
    result, _ = final_submit(client, campaign)
    assert result.status_code == 303
    stored = db_session.scalars(select(Response).where(Response.campaign_id == campaign.id)).all()
    assert sorted(r.agency_id for r in stored) == sorted([world.agency_b.id, world.agency_c.id])
    assert {r.rater_agency_id for r in stored} == {world.agency_a.id}


def test_validation_errors_in_a_sitting_keep_the_answers(client, db_session, world):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    (token,) = issue_tokens(db_session, campaign)
    enter(client, token)
    posted = client.post(sitting_url(campaign, world.agency_a), data={"comment": "请补充材料"})
    assert posted.status_code == 303
    assert posted.headers["Location"].endswith(sitting_url(campaign, world.agency_a))
    page = client.get(posted.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'role="alert"' in html and "请补充材料" in html
    assert 'href="#q-E1"' in html
    assert db_session.scalar(select(Draft)) is None


def test_without_a_scanned_code_the_sitting_is_closed(client, db_session, world):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    page = client.get(sitting_url(campaign))
    assert page.status_code == 403 and "扫描" in page.get_data(as_text=True)


def test_a_sitting_stops_when_the_campaign_closes(client, db_session, world):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    (token,) = issue_tokens(db_session, campaign)
    enter(client, token)
    rate(client, campaign, world.agency_a)
    campaign.close()
    db_session.flush()
    assert "已结束" in client.get(sitting_url(campaign)).get_data(as_text=True)
    result = client.post(f"{sitting_url(campaign)}/submit", data={"_key": "x" * 20})
    assert "已结束" in result.get_data(as_text=True)
    assert db_session.scalars(select(Response)).all() == []


def test_guessing_codes_is_refused_after_twenty_wrong_ones(client, db_session, world):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    (token,) = issue_tokens(db_session, campaign)
    statuses = [enter(client, f"{index:026d}".replace("0", "A")).status_code for index in range(21)]
    assert statuses == [404] * 20 + [429]
    page = enter(client, token)  # even a right code waits: the address is in timeout
    assert page.status_code == 429 and "请稍候" in page.get_data(as_text=True)
