"""Issue 17 item 2: twenty deputies saving their pages at the same moment lose nothing, on
SQLite (WAL, busy timeout, write transactions begun IMMEDIATE, a bounded retry) and on
PostgreSQL (a token's first save is an upsert: no duplicate key)."""

from __future__ import annotations

from sqlalchemy import select

from survey.responses.models import Draft
from tests.responses.public.conftest import issue_tokens, make_campaign
from tests.responses.public.test_concurrency import race

DEPUTIES = 20


def test_twenty_deputies_saving_at_once_lose_no_page(committed):  # noqa: F811
    app, session, world = committed
    campaign = make_campaign(
        session, world, group="deputy", tokens=True, agencies=[world.agency_a, world.agency_b]
    )
    tokens = issue_tokens(session, campaign, count=DEPUTIES)
    session.commit()
    sitting = f"/S/{campaign.code}/sitting"
    phones = []
    for token in tokens:
        phone = app.test_client()
        phone.get(f"/T/{token}")
        assert phone.get("/T").status_code == 303
        phones.append(phone)
    statuses = []
    for agency, rating in ((world.agency_a, "5"), (world.agency_b, "4")):
        # every deputy's first save (a new draft), then every deputy's second, each at once
        statuses += race(
            [
                lambda phone=phone, agency=agency, rating=rating: (
                    phone.post(f"{sitting}/{agency.id}", data={"E1": rating, "C1": "3"}).status_code
                )
                for phone in phones
            ]
        )
    assert statuses == [303] * (2 * DEPUTIES)
    session.expire_all()
    drafts = session.scalars(select(Draft).where(Draft.campaign_id == campaign.id)).all()
    assert len(drafts) == DEPUTIES
    for draft in drafts:
        assert draft.answers[str(world.agency_a.id)]["raw"]["E1"] == ["5"]
        assert draft.answers[str(world.agency_b.id)]["raw"]["E1"] == ["4"]


def test_a_double_tap_on_a_tokens_first_save_is_no_duplicate_key(committed):  # noqa: F811
    """Select-then-insert let two first saves of one token both insert: a 500 on PostgreSQL."""
    app, session, world = committed
    campaign = make_campaign(session, world, group="deputy", tokens=True)
    tokens = issue_tokens(session, campaign, count=8)
    session.commit()
    url = f"/S/{campaign.code}/sitting/{world.agency_a.id}"
    for token in tokens:
        phones = [app.test_client() for _ in range(3)]
        for phone in phones:
            phone.get(f"/T/{token}")
            assert phone.get("/T").status_code == 303
        statuses = race(
            [
                lambda phone=phone: phone.post(url, data={"E1": "5", "C1": "3"}).status_code
                for phone in phones
            ]
        )
        assert statuses == [303, 303, 303]
    session.expire_all()
    drafts = session.scalars(select(Draft).where(Draft.campaign_id == campaign.id)).all()
    assert len(drafts) == len(tokens)
