"""One hub per agency: the supervisor's agency page links to the agency's year in every
feature (survey.home.agency_hub), and every link opens."""

from __future__ import annotations

import re

from tests.responses.public.conftest import make_campaign


def test_the_agency_page_links_to_everything_about_the_agency(world, login, db_session):
    campaign = make_campaign(db_session, world)
    db_session.commit()
    client = login(world.supervisor)
    html = client.get(f"/admin/agencies/{world.agency_a.id}").get_data(as_text=True)
    hub = html.split('class="panel hub"')[1].split("</section>")[0]
    ids = f"agency/{world.agency_a.id}/year/{world.year.id}"
    assert f"/admin/targets/{ids}" in hub and f"/admin/verification/{ids}" in hub
    assert f"/admin/results/{campaign.id}/agencies/{world.agency_a.id}" in hub
    assert f"/admin/followup/?agency_id={world.agency_a.id}" in hub
    assert 'href="/admin/agencies/"' in html  # the way back
    for url in re.findall(r'href="([^"]+)"', hub):
        assert client.get(url.replace("&amp;", "&")).status_code == 200, url
