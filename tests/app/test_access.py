"""Every registered route, as every kind of user. New routes are covered automatically:
a route that is not public must refuse anonymous users, the wrong role and the wrong scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.agencies.models import Section
from survey.evidence.models import EvidenceFile, EvidenceOwner
from survey.targets.models import Target, TargetAdjustment, TargetSet
from tests.followup.records import make_followup_records
from tests.reports.access import make_reports_records
from tests.responses.admin.conftest import make_campaign
from tests.results.records import published_with_objection
from tests.scores.conftest import scored_run

PUBLIC_ENDPOINTS = {
    "static",
    "public.home.index",
    "public.home.health",
    "public.accounts.login",
    # respondents' pages: QR links need no account (SPEC §3)
    "public.respond.campaign_link",
    "public.respond.agency_link",
    "public.respond.thanks",
    "public.respond.token_link",
    "public.respond.token_arrival",
    "public.respond.token_entry",
    "public.respond.sitting_overview",
    "public.respond.sitting_agency",
    "public.respond.sitting_submit",
    "public.respond.text_size",
    "public.respond.campaign_link_typed",  # lower-case addresses redirect (printed links)
    "public.respond.agency_link_typed",  # the respondents' large-text mode (a cookie)
}
METHODS = ("GET", "POST")
# Records every jurisdiction shares (the standard questionnaires): no district scope applies.
SHARED_ENDPOINTS = {"admin.questionnaires.preview"}
# The working-day calendar is one for every office; only the top-level office changes it.
SHARED_ENDPOINTS |= {"admin.calendar.year", "admin.calendar.correct"}


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in METHODS:
            if method in rule.methods:
                yield rule, method


def url_for_rule(rule, values: dict) -> str:
    missing = set(rule.arguments) - set(values)
    assert not missing, f"no test value for {missing} in {rule.rule}: add it to the matrix"
    return rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]


def city_values(world, db_session, app) -> dict:
    """Ids of records that belong to the city (out of a district office's scope)."""
    section = db_session.scalar(select(Section).where(Section.agency_id == world.agency_a.id))
    campaign = make_campaign(db_session, world)  # a city campaign
    target_set = TargetSet(agency_id=world.agency_a.id, year_id=world.year.id)
    target = Target(target_set=target_set, title="甲局的目标")
    db_session.add(target)
    db_session.flush()
    adjustment = TargetAdjustment(
        target_id=target.id,
        reason="调整",
        changes={"title": "新"},
        before={"title": "甲局的目标"},
        requested_by_id=world.editor_a.id,
    )
    evidence = EvidenceFile(
        agency_id=world.agency_a.id,
        owner_type=EvidenceOwner.filing,
        owner_id=1,
        filename="a.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        uploaded_by_id=world.editor_a.id,
    )
    db_session.add_all([adjustment, evidence])
    db_session.commit()
    run, item = scored_run(db_session, world)
    objection = published_with_objection(db_session, world, run)
    followup = make_followup_records(db_session, world)
    reports = make_reports_records(app, db_session, world, run)
    return {
        "run_id": run.id,
        "score_item_id": item.id,
        "objection_id": objection.id,
        "fmt": "xlsx",
        "table": "groups",
        "set_id": target_set.id,
        "target_id": target.id,
        "adjustment_id": adjustment.id,
        "evidence_id": evidence.id,
        "kind": "work_plan",
        "campaign_id": campaign.id,
        "version_id": campaign.questionnaire_version_id,
        "agency_id": world.agency_a.id,
        "section_id": section.id,
        "jurisdiction_id": world.city.id,
        "user_id": world.supervisor.id,
        "year_id": world.year.id,
        "filename": "app.css",
        "code": "NOSUCHCD",
        "token": "A" * 26,
        "calendar_year": 2026,
        "size": "large",
        **followup,
        **reports,
    }


def request(client, method, url):
    response = client.open(url, method=method, data={})
    response.close()  # static files stream from an open file
    return response


def test_every_route_is_known(app):
    """Each endpoint is public by decision or under a guarded portal."""
    for rule in app.url_map.iter_rules():
        portal = rule.endpoint.split(".", 1)[0]
        assert rule.endpoint in PUBLIC_ENDPOINTS or portal in {"admin", "agency", "account"}, (
            f"{rule.endpoint} ({rule.rule}) is neither public nor under a portal"
        )


def test_anonymous_users_are_sent_to_login(app, world, db_session, client):
    values = city_values(world, db_session, app)
    for rule, method in routes(app):
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        response = request(client, method, url_for_rule(rule, values))
        assert response.status_code == 302, (method, rule.rule, response.status_code)
        assert "/login" in response.headers["Location"], (method, rule.rule)


@pytest.mark.parametrize(
    ("who", "portal"),
    [
        ("editor_a", "admin."),
        ("leader_a", "admin."),
        ("supervisor", "agency."),
        ("viewer", "agency."),
    ],
)
def test_users_cannot_reach_the_portal_of_another_role(app, world, db_session, login, who, portal):
    client = login(getattr(world, who))
    values = city_values(world, db_session, app)
    checked = 0
    for rule, method in routes(app):
        if rule.endpoint.startswith(portal):
            response = request(client, method, url_for_rule(rule, values))
            assert response.status_code == 403, (method, rule.rule, response.status_code)
            checked += 1
    assert checked > 0


def test_viewers_only_read_views_marked_for_them(app, world, db_session, login):
    client = login(world.viewer)
    values = city_values(world, db_session, app)
    readable = 0
    for rule, method in routes(app):
        if not rule.endpoint.startswith("admin."):
            continue
        view = app.view_functions[rule.endpoint]
        response = request(client, method, url_for_rule(rule, values))
        if method == "GET" and getattr(view, "viewer_may_read", False):
            readable += 1
            assert response.status_code == 200, (method, rule.rule, response.status_code)
        else:
            assert response.status_code == 403, (method, rule.rule, response.status_code)
    assert readable >= 5


def test_district_office_cannot_reach_city_records(app, world, db_session, login):
    client = login(world.district_supervisor)
    values = city_values(world, db_session, app)
    checked = 0
    for rule, method in routes(app):
        if not rule.endpoint.startswith("admin.") or not set(rule.arguments) & set(values):
            continue
        if rule.endpoint in SHARED_ENDPOINTS:
            continue
        if rule.arguments <= {"filename"}:
            continue
        response = request(client, method, url_for_rule(rule, values))
        assert response.status_code == 404, (method, rule.rule, response.status_code)
        checked += 1
    assert checked >= 10


def test_agency_portal_shows_only_the_users_own_agency(world, login):
    html = login(world.editor_b).get("/agency/").get_data(as_text=True)
    assert world.agency_b.name in html
    assert world.agency_a.name not in html


def test_agency_users_get_404_for_results_that_are_not_theirs(app, world, db_session, login):
    """A published run of the city: an agency of the district (not in the run) gets 404 at
    every URL of the agency's results that names a run."""
    values = city_values(world, db_session, app)
    client = login(world.editor_c)
    checked = 0
    for rule, method in routes(app):
        if rule.endpoint.startswith("agency.results.") and "run_id" in rule.arguments:
            response = request(client, method, url_for_rule(rule, values))
            assert response.status_code == 404, (method, rule.rule, response.status_code)
            checked += 1
    assert checked >= 2


def test_agency_routes_never_take_an_agency_from_the_url(app):
    """The agency portal reads the agency from the login, so no id can be swapped."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("agency."):
            assert "agency_id" not in rule.arguments, rule.rule


def test_every_post_route_refuses_a_missing_csrf_token(app, world, db_session, login):
    client = login(world.supervisor)
    values = city_values(world, db_session, app)
    for rule, method in routes(app):
        if method != "POST":
            continue
        response = client.post(url_for_rule(rule, values), data={}, csrf=False)
        assert response.status_code == 400, (rule.rule, response.status_code)


def test_security_headers_on_every_page(app, world, db_session, login):
    client = login(world.supervisor)
    values = city_values(world, db_session, app)
    for rule, method in routes(app):
        if method != "GET":
            continue
        response = request(client, "GET", url_for_rule(rule, values))
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp, rule.rule
        assert headers["X-Content-Type-Options"] == "nosniff", rule.rule
        assert headers["Strict-Transport-Security"].startswith("max-age="), rule.rule
        if rule.endpoint.startswith("public.respond."):  # no Referer ever leaves these
            assert headers["Referrer-Policy"] == "no-referrer", rule.rule
        else:  # staff pages: the HTTPS CSRF check needs a Referer
            assert headers["Referrer-Policy"] != "no-referrer", rule.rule
        if rule.endpoint != "static":
            assert headers["Cache-Control"] == "no-store", rule.rule
