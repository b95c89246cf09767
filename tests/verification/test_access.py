"""Who may read and record verification: supervisors of the agency's office record, its
viewers read, other offices do not see the agency at all, agencies never reach it."""

from __future__ import annotations

import pytest

from survey.years import services as years


def urls(world, targets, agency=None, year=None) -> dict[str, str]:
    agency, year = agency or world.agency_a, year or world.year
    base = f"/admin/verification/agency/{agency.id}/year/{year.id}"
    return {
        "agency": base,
        "new_visit": f"{base}/visits/new",
        "new_finding": f"{base}/findings/new",
        "adjust_score": f"/admin/verification/targets/{targets.first.id}/adjust",
    }


def test_viewers_read_the_page_but_cannot_record(world, targets, login):
    client = login(world.viewer)
    pages = urls(world, targets)
    assert client.get(pages.pop("agency")).status_code == 200
    for url in pages.values():
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={"reason": "x", "score": "1"}).status_code == 403, url


def test_another_office_gets_not_found(world, targets, login):
    client = login(world.district_supervisor)
    for name, url in urls(world, targets).items():
        assert client.get(url).status_code == 404, url
        if name != "agency":  # a page to read only
            assert client.post(url, data={}).status_code == 404, url


@pytest.mark.parametrize("who", ["editor_a", "leader_a"])
def test_agencies_are_refused(world, targets, login, who):
    client = login(getattr(world, who))
    for name, url in urls(world, targets).items():
        assert client.get(url).status_code == 403, url
        if name != "agency":
            assert client.post(url, data={}).status_code == 403, url


def test_the_year_must_be_the_agencys_jurisdictions(app, world, targets, db_session, login):
    with app.app_context():
        district_year = years.create_year(
            db_session, None, jurisdiction_id=world.district.id, year=2026
        )
    db_session.commit()
    client = login(world.supervisor)  # the city office also supervises the district
    pages = urls(world, targets, year=district_year)
    del pages["adjust_score"]
    for url in pages.values():
        assert client.get(url).status_code == 404, url
    assert client.get(urls(world, targets)["agency"]).status_code == 200
