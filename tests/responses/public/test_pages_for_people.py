"""The respondents' pages as an older person on a phone meets them: the agency chooser grouped
by kind with a search that needs no JavaScript, another agency offered after a thank-you, and
a large-text mode kept in a cookie."""

from __future__ import annotations

from survey.agencies.models import AgencyKind
from tests.responses.public.conftest import make_campaign


def test_the_chooser_groups_agencies_by_kind_and_searches_without_javascript(
    client, db_session, world
):
    world.agency_b.kind = AgencyKind.party
    campaign = make_campaign(db_session, world, agencies=[world.agency_a, world.agency_b])
    db_session.commit()
    html = client.get(f"/S/{campaign.code}").get_data(as_text=True)
    assert '<h2 id="kind-party">党的机关</h2>' in html
    # 第三条's order: the party organ's group comes before the administrative organs'
    assert html.index(world.agency_b.name) < html.index(world.agency_a.name)
    assert 'method="get"' in html and 'name="q"' in html and "<script" not in html
    found = client.get(f"/S/{campaign.code}", query_string={"q": world.agency_a.name[-2:]})
    found_html = found.get_data(as_text=True)
    assert world.agency_a.name in found_html and world.agency_b.name not in found_html
    assert "显示全部单位" in found_html
    none = client.get(f"/S/{campaign.code}", query_string={"q": "不存在的单位"})
    assert "没有符合的单位" in none.get_data(as_text=True)


def test_the_thank_you_page_offers_another_agency_on_an_open_link(client, db_session, world):
    campaign = make_campaign(db_session, world)
    db_session.commit()
    html = client.get(f"/S/{campaign.code}/done").get_data(as_text=True)
    assert f'href="/S/{campaign.code}"' in html and "继续评价其他单位" in html
    tokens = make_campaign(db_session, world, group="deputy", tokens=True)
    db_session.commit()
    assert "继续评价其他单位" not in client.get(f"/S/{tokens.code}/done").get_data(as_text=True)


def test_the_large_text_mode_is_a_link_kept_in_a_cookie(client, db_session, world):
    campaign = make_campaign(db_session, world)
    db_session.commit()
    page = f"/S/{campaign.code}"
    assert 'class="survey"' in client.get(page).get_data(as_text=True)
    switched = client.get("/text-size/large", query_string={"next": page})
    assert switched.status_code == 303 and switched.headers["Location"] == page
    assert 'class="survey large"' in client.get(page).get_data(as_text=True)
    client.get("/text-size/normal", query_string={"next": page})
    assert 'class="survey"' in client.get(page).get_data(as_text=True)
    # never a way off the site
    for target in ("https://example.com/", "//example.com/", "/\\example.com"):
        away = client.get("/text-size/large", query_string={"next": target})
        assert away.headers["Location"] == "/"
    assert client.get("/text-size/huge").status_code == 404
