"""Concurrent submissions on a real, committed database (SQLite and PostgreSQL): a token is
consumed exactly once, and a form posted twice at the same moment counts once."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from survey.campaigns.models import Token
from survey.responses.models import Response
from tests.responses.public.conftest import (
    VALID_ANSWERS,
    form_fields,
    issue_tokens,
    make_campaign,
)


def race(calls):
    """Run the calls in threads released at the same instant; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_one_token_submitted_from_two_phones_at_once_counts_once(committed):
    app, session, world = committed
    campaign = make_campaign(
        session, world, group="deputy", tokens=True, agencies=[world.agency_a, world.agency_b]
    )
    tokens = issue_tokens(session, campaign, count=4)
    session.commit()
    sitting = f"/S/{campaign.code}/sitting"
    for token in tokens:
        phones = [app.test_client() for _ in range(2)]
        keys = []
        for phone in phones:
            assert phone.get(f"/T/{token}").status_code == 303
            assert phone.get("/T").status_code == 303
            for agency in (world.agency_a, world.agency_b):
                saved = phone.post(f"{sitting}/{agency.id}", data={"E1": "5", "C1": "3"})
                assert saved.status_code == 303
            keys.append(form_fields(phone.get(sitting).get_data(as_text=True))["_key"])
        statuses = race(
            [
                lambda phone=phone, key=key: (
                    phone.post(f"{sitting}/submit", data={"_key": key}).status_code
                )
                for phone, key in zip(phones, keys, strict=True)
            ]
        )
        assert sorted(statuses) == [303, 409]
    session.expire_all()
    count = select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id)
    assert session.scalar(count) == 2 * len(tokens)
    used = select(func.count()).select_from(Token).where(Token.used_on.is_not(None))
    assert session.scalar(used) == len(tokens)


def test_one_form_posted_twice_at_once_counts_once(committed):
    app, session, world = committed
    campaign = make_campaign(session, world)
    session.commit()
    url = f"/A/{campaign.campaign_agencies[0].code}"
    for _ in range(4):
        phone = app.test_client()
        fields = form_fields(phone.get(url).get_data(as_text=True))
        data = {**VALID_ANSWERS, "_key": fields["_key"], "_t": fields["_t"]}
        # The retry comes from the same browser: same cookies, same form.
        retry = app.test_client()
        for name in (app.config["SESSION_COOKIE_NAME"], "sv_device"):
            retry.set_cookie(name, phone.get_cookie(name).value)
        statuses = race(
            [
                lambda client=client, data=data: client.post(url, data=data).status_code
                for client in (phone, retry)
            ]
        )
        assert statuses == [303, 303]
    count = select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id)
    assert session.scalar(count) == 4


def test_twenty_phones_submitting_one_token_at_once_store_one_sitting(committed):
    app, session, world = committed
    campaign = make_campaign(session, world, group="deputy", tokens=True)
    (token,) = issue_tokens(session, campaign)
    session.commit()
    sitting = f"/S/{campaign.code}/sitting"
    phones, keys = [], []
    for _ in range(20):
        phone = app.test_client()
        assert phone.get(f"/T/{token}").status_code == 303
        assert phone.get("/T").status_code == 303
        saved = phone.post(f"{sitting}/{world.agency_a.id}", data={"E1": "4", "C1": "2"})
        assert saved.status_code == 303
        phones.append(phone)
        keys.append(form_fields(phone.get(sitting).get_data(as_text=True))["_key"])
    statuses = race(
        [
            lambda phone=phone, key=key: phone.post(f"{sitting}/submit", data={"_key": key})
            for phone, key in zip(phones, keys, strict=True)
        ]
    )
    accepted = [r for r in statuses if r.status_code == 303 and r.location.endswith("/done")]
    assert len(accepted) == 1
    assert sorted(r.status_code for r in statuses) == [303] + [409] * 19
    session.expire_all()
    count = select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id)
    assert session.scalar(count) == 1
