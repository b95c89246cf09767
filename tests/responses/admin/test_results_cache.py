"""Issue 17 item 8: a campaign's figures are aggregated once and read from the cache until a
response, a review or a staff change arrives; the page never shows stale figures."""

from __future__ import annotations

from survey.responses.admin import results as results_module
from tests.responses.admin.conftest import add_response, bulk_responses


def test_figures_are_computed_once_until_the_next_response(
    app, db_session, world, campaign, login, monkeypatch
):
    bulk_responses(db_session, campaign, world.agency_a, 12)
    db_session.commit()
    computed = []
    compute = results_module.campaign_results
    monkeypatch.setattr(
        results_module,
        "campaign_results",
        lambda session, c: computed.append(c.id) or compute(session, c),
    )
    client = login(world.supervisor)
    url = f"/admin/results/{campaign.id}"
    first = client.get(url).get_data(as_text=True)
    second = client.get(url).get_data(as_text=True)
    assert computed == [campaign.id] and "12" in first and "12" in second
    add_response(db_session, campaign, world.agency_a, {"E1": "5", "C1": "5"})
    db_session.commit()
    third = client.get(url).get_data(as_text=True)
    assert computed == [campaign.id, campaign.id] and "13" in third
