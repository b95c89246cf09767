"""What cannot be undone asks first, without JavaScript (survey.forms.ask_first): the page's
button leads to a page saying what will happen, and only its own button acts."""

from __future__ import annotations

from sqlalchemy import select

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.campaigns.models import CampaignState, Token
from tests.campaigns.test_campaigns import issue
from tests.responses.public.conftest import make_campaign


def asks(response, *phrases) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert 'name="confirmed" value="1"' in html and "确认后将会" in html and "取消，返回" in html
    for phrase in phrases:
        assert phrase in html
    return html


def test_closing_a_survey_asks_first(world, login, db_session):
    campaign = make_campaign(db_session, world)
    client = login(world.supervisor)
    url = f"/admin/campaigns/{campaign.id}/close"
    asks(client.post(url), "确定结束调查", "立即停止接收答案")
    db_session.refresh(campaign)
    assert campaign.state is CampaignState.open
    client.post(url, data={"confirmed": "1"})
    db_session.refresh(campaign)
    assert campaign.state is CampaignState.closed


def test_revoking_codes_asks_first_and_keeps_the_batch(world, login, db_session):
    campaign = make_campaign(db_session, world, group="deputy", tokens=True)
    client = login(world.supervisor)
    issue(client, campaign, count="2", output="csv")
    url = f"/admin/campaigns/{campaign.id}/tokens/revoke"
    html = asks(client.post(url, data={"batch": "1"}), "第 1 批", "不能恢复")
    assert 'name="batch" value="1"' in html  # the same request, confirmed
    tokens = select(Token).where(Token.campaign_id == campaign.id, Token.revoked_at.is_(None))
    assert len(db_session.scalars(tokens).all()) == 2
    client.post(url, data={"batch": "1", "confirmed": "1"})
    assert db_session.scalars(tokens).all() == []


def test_deleting_an_agency_asks_first(world, login, db_session):
    client = login(world.supervisor)
    url = f"/admin/agencies/{world.agency_b.id}/delete"
    asks(client.post(url), world.agency_b.name, "可在其页面恢复")
    assert db_session.get(Agency, world.agency_b.id).deleted_at is None
    client.post(url, data={"confirmed": "1"})
    db_session.expire_all()
    assert db_session.get(Agency, world.agency_b.id).deleted_at is not None


def test_deactivating_a_user_asks_first_but_reactivating_does_not(world, login, db_session):
    client = login(world.supervisor)
    url = f"/admin/users/{world.editor_a.id}/active"
    asks(client.post(url, data={"active": "0"}), world.editor_a.username, "立即退出登录")
    assert db_session.get(User, world.editor_a.id).is_active
    client.post(url, data={"active": "0", "confirmed": "1"})
    db_session.expire_all()
    assert not db_session.get(User, world.editor_a.id).is_active
    assert client.post(url, data={"active": "1"}).status_code == 302
    db_session.expire_all()
    assert db_session.get(User, world.editor_a.id).is_active


def test_a_request_without_its_csrf_token_is_never_asked_about(world, login, db_session):
    client = login(world.supervisor)
    response = client.post(f"/admin/agencies/{world.agency_b.id}/delete", csrf=False)
    assert "确认后将会" not in response.get_data(as_text=True)
    assert db_session.get(Agency, world.agency_b.id).deleted_at is None
