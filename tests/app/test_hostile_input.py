"""Issue 17 item 6: ids beyond a column's range are a 404, never a 500; control characters
(NUL above all) never reach the database, on either backend."""

from __future__ import annotations

import pytest

from tests.app.test_access import city_values, request, routes

# Beyond PostgreSQL's integer, and beyond SQLite's 64-bit rowid.
HUGE = [2**31, 2**63, 10**30]


def _int_arguments(rule) -> set[str]:
    return {name for name, converter in rule._converters.items() if converter.regex == r"\d+"}


@pytest.mark.parametrize("huge", HUGE)
@pytest.mark.parametrize(("who", "portal"), [("supervisor", "admin."), ("editor_a", "agency.")])
def test_ids_beyond_the_column_range_are_not_found(
    app, world, db_session, login, who, portal, huge
):
    client = login(getattr(world, who))
    values = city_values(world, db_session, app)
    checked = 0
    for rule, method in routes(app):
        if not rule.endpoint.startswith(portal) or not _int_arguments(rule):
            continue
        arguments = {name: values[name] for name in rule.arguments}
        for name in _int_arguments(rule):
            url = rule.rule
            for other, value in arguments.items():
                shown = huge if other == name else value
                url = url.replace(f"<int:{other}>", str(shown)).replace(f"<{other}>", str(shown))
                url = url.replace(f"<string:{other}>", str(shown))
            response = request(client, method, url)
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked >= (10 if portal == "admin." else 1)


@pytest.mark.parametrize("huge", HUGE)
def test_ids_beyond_the_range_in_query_strings_are_ignored(app, world, db_session, login, huge):
    """Every staff GET page, with every id parameter the views read set out of range."""
    client = login(world.supervisor)
    values = city_values(world, db_session, app)
    query = "&".join(f"{name}={huge}" for name in ("year_id", "agency", "source_id", "page"))
    for rule, method in routes(app):
        if method != "GET" or not rule.endpoint.startswith("admin."):
            continue
        url = rule.build({name: values[name] for name in rule.arguments}, append_unknown=False)[1]
        response = request(client, "GET", f"{url}?{query}")
        assert response.status_code < 500, (url, response.status_code)


def test_control_characters_are_dropped_from_query_parameters(world, login):
    client = login(world.supervisor)
    response = client.get("/admin/audit/?username=bian\x00ban")
    assert response.status_code == 200
