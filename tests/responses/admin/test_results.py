"""The results page: counts by agency, day and flag reason; item figures only for cells of at
least 5 counted responses; viewers see aggregates, never raw responses; scoped by jurisdiction."""

from __future__ import annotations

import datetime as dt

from survey.campaigns.models import CampaignState
from survey.responses.admin.results import campaign_results
from survey.responses.models import FlagReason
from tests.responses.admin.conftest import add_response, bulk_responses, make_campaign

SUPPRESSED = "少于 5 份，不予分项显示"


def fill(db_session, world, campaign):
    a, b = world.agency_a, world.agency_b
    for e1, c1 in [("5", "4"), ("4", None), ("4", "5"), ("3", None), ("5", "3")]:
        add_response(db_session, campaign, a, {"E1": e1, "C1": c1, "contact": "window"})
    # flagged, not reviewed: excluded from the figures, still counted as a response
    add_response(
        db_session,
        campaign,
        a,
        {"E1": "1", "contact": "online"},
        flags=[FlagReason.too_fast, FlagReason.honeypot],
    )
    for _ in range(4):
        add_response(db_session, campaign, b, {"E1": "2"})
    db_session.commit()


def test_counts_and_figures(db_session, world, campaign):
    fill(db_session, world, campaign)
    results = campaign_results(db_session, campaign)
    assert (results.total, results.excluded, results.included) == (10, 1, 9)
    by_agency = {c.label: (c.total, c.included, c.excluded) for c in results.by_agency}
    assert by_agency == {world.agency_a.name: (6, 5, 1), world.agency_b.name: (4, 4, 0)}
    assert dict(results.by_reason) == {FlagReason.too_fast: 1, FlagReason.honeypot: 1}
    a, b = results.figures
    assert a.shown and not b.shown and b.cells == {}
    assert a.cells["E1"].n == 5 and a.cells["E1"].mean == 4.2  # the flagged 1 is left out
    assert a.cells["E1"].values == {"5": 2, "4": 2, "3": 1}
    # C1: 3 values and 2 不了解 — too few answers for a breakdown of that item
    assert a.cells["C1"].n == 3 and a.cells["C1"].mean is None and a.cells["C1"].values == {}
    assert a.cells["contact"].values == {"window": 5}


def test_counts_by_beijing_day(db_session, world, campaign):
    # 17:30 UTC is 01:30 the next morning in Beijing
    late = dt.datetime(2026, 11, 27, 17, 30, tzinfo=dt.UTC)
    early = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
    bulk_responses(db_session, campaign, world.agency_a, 3, submitted_at=late, key="late")
    bulk_responses(db_session, campaign, world.agency_a, 2, submitted_at=early, key="early")
    db_session.commit()
    results = campaign_results(db_session, campaign)
    assert results.by_day == [(dt.date(2026, 11, 27), 2), (dt.date(2026, 11, 28), 3)]


def test_peer_counts_by_rating_agency(db_session, world, login):
    campaign = make_campaign(db_session, world, group="peer", state=CampaignState.closed)
    add_response(db_session, campaign, world.agency_a, {"E1": "4"}, rater=world.agency_b)
    add_response(db_session, campaign, world.agency_b, {"E1": "4"}, rater=world.agency_a)
    add_response(db_session, campaign, world.agency_b, {"E1": "3"}, rater=world.agency_c)
    db_session.commit()
    html = login(world.viewer).get(f"/admin/results/{campaign.id}").get_data(as_text=True)
    assert "按评价单位统计" in html
    results = campaign_results(db_session, campaign)
    assert {c.label: c.total for c in results.by_rater} == {
        world.agency_a.name: 1,
        world.agency_b.name: 1,
        world.agency_c.name: 1,
    }


def test_page_hides_small_cells(db_session, world, campaign, login):
    fill(db_session, world, campaign)
    client = login(world.supervisor)
    html = client.get(f"/admin/results/{campaign.id}").get_data(as_text=True)
    # the first question across agencies, titled by its Chinese text, not its id
    assert "1. 聚焦主责主业" in html and "4.20" in html
    assert html.count(SUPPRESSED) == 1  # agency b: 4 responses, never broken down
    assert "2.00" not in html  # agency b's mean is never shown
    c1 = client.get(f"/admin/results/{campaign.id}?item=C1").get_data(as_text=True)
    assert "2. 配合有关机关" in c1 and c1.count(SUPPRESSED) == 2
    # one agency's page: every question, the small cells hidden
    a = client.get(f"/admin/results/{campaign.id}/agencies/{world.agency_a.id}")
    assert a.status_code == 200 and a.get_data(as_text=True).count(SUPPRESSED) == 1  # C1 only
    b = client.get(f"/admin/results/{campaign.id}/agencies/{world.agency_b.id}")
    b_html = b.get_data(as_text=True)
    assert SUPPRESSED in b_html and "2.00" not in b_html
    assert client.get(f"/admin/results/{campaign.id}/agencies/999999").status_code == 404


def test_the_item_table_sorts_with_plain_links(db_session, world, login):
    campaign = make_campaign(
        db_session, world, agencies=[world.agency_a, world.agency_b, world.agency_c]
    )
    fill(db_session, world, campaign)
    for _ in range(5):
        add_response(db_session, campaign, world.agency_c, {"E1": "2", "C1": "2"})
    db_session.commit()
    client = login(world.supervisor)
    url = f"/admin/results/{campaign.id}"
    html = client.get(url, query_string={"item": "E1", "sort": "mean", "order": "desc"})
    html = html.get_data(as_text=True).split('class="card item-table"')[1]
    assert html.index(world.agency_a.name) < html.index(world.agency_c.name)
    assert 'aria-sort="descending"' in html and "sort=mean&amp;order=asc" in html
    up = client.get(url, query_string={"item": "E1", "sort": "mean", "order": "asc"})
    up = up.get_data(as_text=True).split('class="card item-table"')[1]
    assert up.index(world.agency_c.name) < up.index(world.agency_a.name)
    # the agency too small to show comes last whatever the order
    assert up.index(world.agency_a.name) < up.index(SUPPRESSED)


def test_viewer_reads_results_but_no_raw_responses(db_session, world, campaign, login):
    fill(db_session, world, campaign)
    client = login(world.viewer)
    page = client.get(f"/admin/results/{campaign.id}")
    assert page.status_code == 200
    assert "export.csv" not in page.get_data(as_text=True)
    assert client.get("/admin/results/").status_code == 200
    for path in ("flags", "export.csv", "export.xlsx", "import", "import/template.xlsx"):
        assert client.get(f"/admin/results/{campaign.id}/{path}").status_code == 403, path


def test_district_office_never_sees_a_city_campaign(db_session, world, campaign, login):
    client = login(world.district_supervisor)
    assert campaign.title not in client.get("/admin/results/").get_data(as_text=True)
    for path in ("", "/flags", "/export.csv", "/export.xlsx", "/import", "/import/template.xlsx"):
        response = client.get(f"/admin/results/{campaign.id}{path}")
        assert response.status_code == 404, path
    response = client.post(
        f"/admin/results/{campaign.id}/flags/review",
        data={"response_id": "1", "decision": "include", "reason": "x"},
    )
    assert response.status_code == 404
