"""Agencies see and answer only their own items; viewers read; other offices see nothing."""

from __future__ import annotations

import pytest

from survey.followup.models import ItemState
from tests.followup.conftest import ENGLISH


def test_another_agencys_item_does_not_exist_for_it(world, issue, login, db_session):
    item = issue()
    client = login(world.editor_b)
    assert client.get(f"/agency/followup/{item.id}").status_code == 404
    for move in ("acknowledge", "progress", "submit"):
        assert (
            client.post(f"/agency/followup/{item.id}/{move}", data={"text": "x"}).status_code == 404
        )
    assert client.post(f"/agency/followup/{item.id}/extension", data={}).status_code == 404
    assert "公开办事指南" not in client.get("/agency/followup/").get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(type(item), item.id).state is ItemState.issued


def test_the_service_refuses_an_agency_acting_on_anothers_item(app, world, issue, db_session):
    from survey.errors import DomainError
    from survey.followup import services

    item = issue()
    with app.test_request_context(headers=ENGLISH), pytest.raises(DomainError) as refused:
        services.agency_move(db_session, world.editor_b, item, "acknowledge")
    assert "another agency" in str(refused.value)


def test_the_office_cannot_make_the_agencys_moves(world, issue, login):
    item = issue()
    client = login(world.supervisor)
    for move in ("acknowledge", "submit", "progress", "unknown"):
        assert client.post(f"/admin/followup/items/{item.id}/{move}", data={}).status_code == 404


def test_an_agency_cannot_make_the_offices_moves(world, issue, login):
    item = issue()
    client = login(world.editor_a)
    for move in ("verify", "close", "cancel", "remind"):
        assert client.post(f"/agency/followup/{item.id}/{move}", data={}).status_code == 404


def test_viewers_read_but_do_not_move(world, issue, login):
    item = issue()
    client = login(world.viewer)
    assert client.get(f"/admin/followup/items/{item.id}").status_code == 200
    assert client.get("/admin/followup/export.xlsx").status_code == 200
    assert client.post(f"/admin/followup/items/{item.id}/remind", data={}).status_code == 403
    html = client.get(f"/admin/followup/items/{item.id}", headers=ENGLISH).get_data(as_text=True)
    assert "Send a reminder" not in html


def test_a_district_office_does_not_see_city_items(world, issue, login):
    item = issue()
    client = login(world.district_supervisor)
    assert client.get(f"/admin/followup/items/{item.id}").status_code == 404
    assert client.get(f"/admin/followup/agency/{world.agency_a.id}/new").status_code == 404
