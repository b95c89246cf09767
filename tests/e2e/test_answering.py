"""A phone (390×844, WeChat's user agent) answers a public survey and a token survey."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey.campaigns.models import Token
from survey.responses.models import Response
from tests.fixtures.data import make_world
from tests.responses.public.conftest import issue_tokens, make_campaign


def choose(page, name: str, value: str) -> None:
    """Tap the choice as a finger would: on its label, the large tap target."""
    choice = page.locator(f'input[name="{name}"][value="{value}"]')
    choice_id = choice.get_attribute("id")
    label = page.locator(f'label[for="{choice_id}"]') if choice_id else None
    if label is None or label.count() == 0:
        label = page.locator(f'label:has(input[name="{name}"][value="{value}"])')
    label.first.click()
    assert choice.is_checked()


def world_for(live):
    app, session, base = live
    with app.app_context():
        world = make_world(session)
        session.commit()
    return world


def test_a_phone_answers_the_public_survey(live, phone):
    app, session, base = live
    world = world_for(live)
    campaign = make_campaign(session, world)
    session.commit()
    phone.goto(f"{base}/S/{campaign.code}")
    phone.get_by_text(world.agency_b.name).click()
    assert world.agency_b.name in phone.content()
    # submitting with a required answer missing keeps what was typed
    phone.locator('textarea[name="comment"]').fill("窗口服务热情")
    phone.locator('button[type="submit"].primary').click()
    assert phone.locator('[role="alert"]').first.is_visible()
    assert phone.locator('textarea[name="comment"]').input_value() == "窗口服务热情"
    choose(phone, "E1", "5")
    choose(phone, "C1", "dk")
    phone.locator('button[type="submit"].primary').click()
    phone.wait_for_url(re.compile(r"/done$"))
    assert "感谢" in phone.content()
    assert phone.console_errors == []
    session.expire_all()
    (response,) = session.scalars(select(Response)).all()
    assert response.agency_id == world.agency_b.id
    assert {a.item_id: a.value for a in response.answers} == {
        "E1": "5",
        "C1": None,
        "comment": "窗口服务热情",
    }


def test_a_phone_answers_a_token_survey_without_the_token_in_view(live, phone):
    app, session, base = live
    world = world_for(live)
    campaign = make_campaign(
        session, world, group="deputy", tokens=True, agencies=[world.agency_a, world.agency_b]
    )
    (token,) = issue_tokens(session, campaign)
    session.commit()
    seen = []
    phone.on("framenavigated", lambda frame: seen.append(frame.url))
    phone.goto(f"{base}/T/{token}")
    assert token not in phone.url and token not in phone.content()
    # the introduction first, then one tap to start
    assert phone.locator(".intro").first.is_visible()
    phone.get_by_role("link", name="开始评价", exact=True).click()
    choose(phone, "E1", "4")
    choose(phone, "C1", "5")
    phone.locator('button[type="submit"].primary').click()
    # the next agency follows; this deputy does not know it and submits from the top
    assert world.agency_b.name in phone.content()
    phone.get_by_role("link", name="查看全部单位并提交").click()
    assert "已评价 1 个单位，共 2 个" in phone.locator(".progress").first.inner_text()
    assert "1 个未评价的单位将按“不了解”计" in phone.content()
    phone.locator("#submit-top").click()
    phone.wait_for_url(re.compile(r"/done$"))
    assert "感谢" in phone.content()
    assert seen and all(token not in url for url in seen)
    assert phone.console_errors == []
    session.expire_all()
    (response,) = session.scalars(select(Response)).all()
    assert response.agency_id == world.agency_a.id
    assert session.scalar(select(Token)).used_on is not None
    # the spent code cannot be used again
    phone.goto(f"{base}/T/{token}")
    assert "已使用" in phone.content()
