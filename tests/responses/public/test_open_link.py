"""Answering one agency through an open link (the QR poster at its service window)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, inspect, select

from survey.campaigns.models import CampaignState
from survey.responses.models import Answer, Channel, FlagReason, Response, ResponseFlag
from tests.responses.public.conftest import VALID_ANSWERS, form_fields, make_campaign


def agency_url(campaign, index: int = 0) -> str:
    return f"/A/{campaign.campaign_agencies[index].code}"


def open_form(client, campaign, index: int = 0):
    page = client.get(agency_url(campaign, index))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    fields = form_fields(html)
    return html, {"_key": fields["_key"], "_t": fields["_t"]}


def responses(db_session, campaign):
    return db_session.scalars(select(Response).where(Response.campaign_id == campaign.id)).all()


def test_the_form_names_fields_by_item_id_and_stays_small(client, public_campaign, app):
    html, _ = open_form(client, public_campaign)
    for item_id in ("E1", "C1", "contact", "comment"):
        assert f'name="{item_id}"' in html
    assert 'value="dk"' in html  # 不了解 is its own choice
    assert "测试市甲局" in html
    assert 'href="/static/respond.css"' in html and "app.css" not in html
    with app.open_resource("static/respond.css") as css:
        size = len(html.encode()) + len(css.read())
    assert size < 30_000
    assert "<script" not in html


def test_a_valid_answer_is_stored_and_thanked(client, db_session, public_campaign):
    _, hidden = open_form(client, public_campaign)
    result = client.post(agency_url(public_campaign), data={**VALID_ANSWERS, **hidden})
    assert result.status_code == 303
    assert result.headers["Location"].endswith(f"/S/{public_campaign.code}/done")
    assert "感谢您的支持" in client.get(result.headers["Location"]).get_data(as_text=True)
    (response,) = responses(db_session, public_campaign)
    assert response.agency_id == public_campaign.campaign_agencies[0].agency_id
    assert response.channel is Channel.web
    assert response.rater_agency_id is None
    assert response.questionnaire_version_id == public_campaign.questionnaire_version_id
    stored = {answer.item_id: answer.value for answer in response.answers}
    # 不了解 is stored as missing, distinct from an unanswered item (no row at all)
    assert stored == {"E1": "4", "C1": None, "contact": "window", "comment": "办事效率高"}


def test_a_response_row_has_no_column_that_could_point_to_a_person(db_session):
    columns = {column["name"] for column in inspect(db_session.bind).get_columns("responses")}
    assert not {name for name in columns if "token" in name or "ip" in name.split("_")}
    assert "device" not in " ".join(columns)


def test_a_missing_required_answer_keeps_what_was_entered(client, db_session, public_campaign):
    _, hidden = open_form(client, public_campaign)
    data = {"C1": "2", "contact": "online", "comment": "窗口排队时间长", **hidden}
    posted = client.post(agency_url(public_campaign), data=data)
    # post/redirect/get: the browser's Back never asks to resubmit the form
    assert posted.status_code == 303
    assert posted.headers["Location"].endswith(agency_url(public_campaign))
    page = client.get(posted.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'role="alert"' in html
    # the summary at the top links to the question that needs attention
    assert html.index('class="error-summary"') < html.index("<form")
    assert 'href="#q-E1"' in html and 'id="q-E1"' in html and 'href="#q-C1"' not in html
    assert "窗口排队时间长" in html  # the respondent never retypes
    assert 'value="online" checked' in html or 'value="online"  checked' in html
    assert form_fields(html)["_key"] == hidden["_key"]  # the same form: counted once
    assert responses(db_session, public_campaign) == []
    # kept for one page only: loading the page again shows a fresh form
    again = client.get(agency_url(public_campaign)).get_data(as_text=True)
    assert "窗口排队时间长" not in again and "error-summary" not in again


def test_answers_too_long_for_the_session_are_shown_again_without_a_redirect(
    client, db_session, public_campaign
):
    _, hidden = open_form(client, public_campaign)
    comment = "窗口排队时间长，" * 60
    page = client.post(agency_url(public_campaign), data={"comment": comment, **hidden})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'href="#q-E1"' in html and comment in html
    assert responses(db_session, public_campaign) == []


@pytest.mark.parametrize("value", ["9", "0", "²", "٣", "４"])
def test_an_out_of_range_or_tampered_rating_is_refused(client, db_session, public_campaign, value):
    _, hidden = open_form(client, public_campaign)
    posted = client.post(agency_url(public_campaign), data={**VALID_ANSWERS, "E1": value, **hidden})
    assert posted.status_code == 303
    page = client.get(posted.headers["Location"])
    assert page.status_code == 200
    assert 'role="alert"' in page.get_data(as_text=True)
    assert responses(db_session, public_campaign) == []


def test_an_unknown_item_id_is_refused_with_a_message(client, db_session, public_campaign):
    _, hidden = open_form(client, public_campaign)
    data = {**VALID_ANSWERS, "X99": "5", **hidden}
    page = client.post(agency_url(public_campaign), data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "X99" in html and "本问卷没有的题目" in html
    assert "办事效率高" in html
    assert responses(db_session, public_campaign) == []


def test_an_expired_csrf_token_keeps_the_answers(client, db_session, public_campaign):
    _, hidden = open_form(client, public_campaign)
    data = {**VALID_ANSWERS, **hidden, "csrf_token": "expired"}
    page = client.post(agency_url(public_campaign), data=data, csrf=False)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "办事效率高" in html and "页面已过期" in html
    assert responses(db_session, public_campaign) == []
    # and the re-rendered form, submitted again, counts once
    fields = form_fields(html)
    retry = client.post(
        agency_url(public_campaign),
        data={**VALID_ANSWERS, "_key": fields["_key"], "_t": fields["_t"]},
    )
    assert retry.status_code == 303
    assert len(responses(db_session, public_campaign)) == 1


def test_a_resubmitted_form_counts_once(client, db_session, public_campaign):
    _, hidden = open_form(client, public_campaign)
    for _ in range(3):
        result = client.post(agency_url(public_campaign), data={**VALID_ANSWERS, **hidden})
        assert result.status_code == 303
    assert len(responses(db_session, public_campaign)) == 1
    _, fresh = open_form(client, public_campaign)
    client.post(agency_url(public_campaign), data={**VALID_ANSWERS, **fresh})
    assert len(responses(db_session, public_campaign)) == 2


def flags_of(db_session, campaign) -> list[set[FlagReason]]:
    return [
        {flag.reason for flag in response.flags}
        for response in sorted(responses(db_session, campaign), key=lambda r: r.id)
    ]


def test_the_honeypot_flags_but_keeps_the_response(client, db_session, public_campaign):
    _, hidden = open_form(client, public_campaign)
    data = {**VALID_ANSWERS, **hidden, "_website": "http://spam.example"}
    assert client.post(agency_url(public_campaign), data=data).status_code == 303
    assert flags_of(db_session, public_campaign) == [{FlagReason.honeypot}]


def test_a_too_fast_answer_is_flagged(client, db_session, world):
    campaign = make_campaign(db_session, world, min_seconds=30)
    _, hidden = open_form(client, campaign)
    client.post(agency_url(campaign), data={**VALID_ANSWERS, **hidden})
    assert flags_of(db_session, campaign) == [{FlagReason.too_fast}]
    (response,) = responses(db_session, campaign)
    assert response.duration_seconds is not None and response.duration_seconds < 30


def test_a_forged_or_missing_timer_is_flagged(client, db_session, public_campaign):
    _, hidden = open_form(client, public_campaign)
    client.post(agency_url(public_campaign), data={**VALID_ANSWERS, **hidden, "_t": "forged"})
    assert flags_of(db_session, public_campaign) == [{FlagReason.too_fast}]


def test_an_answer_slower_than_the_minimum_is_not_flagged(client, db_session, world, monkeypatch):
    campaign = make_campaign(db_session, world, min_seconds=30)
    _, hidden = open_form(client, campaign)
    import survey.responses.public.integrity as integrity

    later = integrity.time.time() + 45
    monkeypatch.setattr(integrity.time, "time", lambda: later)
    client.post(agency_url(campaign), data={**VALID_ANSWERS, **hidden})
    assert flags_of(db_session, campaign) == [set()]
    assert responses(db_session, campaign)[0].duration_seconds >= 45


def test_the_device_budget_flags_repeat_answers_from_one_phone(client, db_session, world, app):
    campaign = make_campaign(db_session, world, device_limit=1)
    for _ in range(2):
        _, hidden = open_form(client, campaign)
        client.post(agency_url(campaign), data={**VALID_ANSWERS, **hidden})
    # another agency of the same campaign has its own budget on this phone
    _, hidden = open_form(client, campaign, index=1)
    client.post(agency_url(campaign, 1), data={**VALID_ANSWERS, **hidden})
    # another phone behind the same address is not affected
    other = app.test_client()
    _, hidden = open_form(other, campaign)
    other.post(agency_url(campaign), data={**VALID_ANSWERS, **hidden})
    assert flags_of(db_session, campaign) == [set(), {FlagReason.device_budget}, set(), set()]


def test_a_phone_without_the_device_cookie_is_flagged(client, db_session, public_campaign):
    _, hidden = open_form(client, public_campaign)
    client.delete_cookie("sv_device")
    client.post(agency_url(public_campaign), data={**VALID_ANSWERS, **hidden})
    assert flags_of(db_session, public_campaign) == [{FlagReason.device_budget}]


def test_the_address_budget_flags_beyond_its_hourly_limit(app, db_session, world):
    campaign = make_campaign(db_session, world, address_limit=2)
    for _ in range(3):
        phone = app.test_client()  # a new device each time, same address
        _, hidden = open_form(phone, campaign)
        phone.post(agency_url(campaign), data={**VALID_ANSWERS, **hidden})
    assert flags_of(db_session, campaign) == [set(), set(), {FlagReason.address_budget}]


def test_a_closed_campaign_accepts_nothing_and_says_so(client, db_session, world):
    campaign = make_campaign(db_session, world, state=CampaignState.closed)
    page = client.get(agency_url(campaign))
    assert "已结束" in page.get_data(as_text=True)
    posted = client.post(agency_url(campaign), data=VALID_ANSWERS)
    assert "已结束" in posted.get_data(as_text=True)
    assert responses(db_session, campaign) == []


def test_answers_outside_the_window_are_refused(client, db_session, world):
    future = make_campaign(db_session, world, window=(dt.timedelta(days=2), dt.timedelta(days=9)))
    assert "尚未开始" in client.get(agency_url(future)).get_data(as_text=True)
    past = make_campaign(
        db_session, world, window=(dt.timedelta(days=-9), dt.timedelta(seconds=-1))
    )
    assert "已结束" in client.get(agency_url(past)).get_data(as_text=True)
    draft = make_campaign(db_session, world, state=CampaignState.draft)
    assert "尚未开始" in client.get(agency_url(draft)).get_data(as_text=True)
    client.post(agency_url(past), data=VALID_ANSWERS)
    assert db_session.scalar(select(func.count(Answer.item_id))) == 0


def test_the_campaign_link_lists_its_agencies(client, public_campaign):
    html = client.get(f"/S/{public_campaign.code}").get_data(as_text=True)
    for link in public_campaign.campaign_agencies:
        assert f"/A/{link.code}" in html and link.agency.name in html


def test_unknown_codes_are_not_found(client):
    assert client.get("/A/NOSUCHCD").status_code == 404
    assert client.get("/S/NOSUCHCD").status_code == 404


def test_a_token_campaign_asks_for_a_code_on_its_open_links(client, db_session, world):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    for url in (f"/S/{campaign.code}", agency_url(campaign)):
        html = client.get(url).get_data(as_text=True)
        assert 'name="token"' in html
    assert client.post(agency_url(campaign), data=VALID_ANSWERS).status_code == 200
    assert responses(db_session, campaign) == []


def test_submitted_data_can_never_be_changed_or_deleted(client, db_session, public_campaign):
    import pytest
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DatabaseError

    _, hidden = open_form(client, public_campaign)
    client.post(agency_url(public_campaign), data={**VALID_ANSWERS, "_website": "x", **hidden})
    for statement in (
        update(Response).values(agency_id=public_campaign.campaign_agencies[1].agency_id),
        delete(Answer),
        update(Answer).values(value="5"),
        delete(ResponseFlag),
        delete(Response),
    ):
        nested = db_session.begin_nested()
        with pytest.raises(DatabaseError):
            db_session.execute(statement)
        nested.rollback()
    assert len(responses(db_session, public_campaign)) == 1
