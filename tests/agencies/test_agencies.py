"""The agencies screens: list with filters, create, edit, soft delete and restore, scope."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey.agencies.models import Agency, AgencyKind
from survey.audit.models import AuditEntry
from tests.fixtures.client import form_errors


def new_agency(client, jurisdiction, name, kind="government", short_name=""):
    return client.post(
        "/admin/agencies/new",
        data={
            "jurisdiction_id": jurisdiction.id,
            "name": name,
            "short_name": short_name,
            "kind": kind,
        },
    )


def live_named(db_session, name: str) -> list[Agency]:
    return list(
        db_session.scalars(select(Agency).where(Agency.name == name, Agency.deleted_at.is_(None)))
    )


def listed(html: str) -> set[str]:
    """The agency names in the list's table."""
    return set(re.findall(r'<a href="/admin/agencies/\d+">([^<]+)</a>', html))


def selected(html: str, name: str) -> str | None:
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    match = re.search(r'<option selected value="([^"]*)"', select_html)
    return match.group(1) if match else None


# --- list and filters ----------------------------------------------------------------------


def test_list_shows_every_agency_in_scope(world, login):
    html = login(world.supervisor).get("/admin/agencies/").get_data(as_text=True)
    assert listed(html) == {"测试市甲局", "测试市乙局", "测试区丙局"}


def test_search_matches_name_and_short_name(world, login):
    client = login(world.supervisor)
    assert listed(client.get("/admin/agencies/?q=甲").get_data(as_text=True)) == {"测试市甲局"}
    assert listed(client.get("/admin/agencies/?q=丙局").get_data(as_text=True)) == {"测试区丙局"}
    assert listed(client.get("/admin/agencies/?q=无此机关").get_data(as_text=True)) == set()


def test_search_treats_wildcards_as_text(world, login):
    client = login(world.supervisor)
    assert listed(client.get("/admin/agencies/?q=%25").get_data(as_text=True)) == set()
    assert listed(client.get("/admin/agencies/?q=_").get_data(as_text=True)) == set()


def test_search_ignores_latin_case(world, login):
    client = login(world.supervisor)
    new_agency(client, world.city, "测试市ABC中心", kind="other")
    assert listed(client.get("/admin/agencies/?q=abc").get_data(as_text=True)) == {"测试市ABC中心"}


def test_filter_by_jurisdiction(world, login):
    client = login(world.supervisor)
    html = client.get(f"/admin/agencies/?jurisdiction_id={world.district.id}").get_data(
        as_text=True
    )
    assert listed(html) == {"测试区丙局"}
    assert selected(html, "jurisdiction_id") == str(world.district.id)


def test_filter_by_kind(world, login):
    client = login(world.supervisor)
    new_agency(client, world.city, "测试市法院", kind="court")
    html = client.get("/admin/agencies/?kind=court").get_data(as_text=True)
    assert listed(html) == {"测试市法院"}
    assert selected(html, "kind") == "court"


def test_filters_combine(world, login):
    client = login(world.supervisor)
    new_agency(client, world.district, "测试区法院", kind="court")
    new_agency(client, world.city, "测试市法院", kind="court")
    html = client.get(
        f"/admin/agencies/?kind=court&jurisdiction_id={world.district.id}&q=法院"
    ).get_data(as_text=True)
    assert listed(html) == {"测试区法院"}


def test_a_bad_filter_shows_the_whole_list_not_an_error(world, login):
    client = login(world.supervisor)
    for query in ("kind=spaceship", "jurisdiction_id=abc", "jurisdiction_id=999999"):
        response = client.get(f"/admin/agencies/?{query}")
        assert response.status_code == 200, query
        assert len(listed(response.get_data(as_text=True))) == 3, query


def test_show_deleted(world, login):
    client = login(world.supervisor)
    client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    assert "测试市乙局" not in listed(client.get("/admin/agencies/").get_data(as_text=True))
    html = client.get("/admin/agencies/?show_deleted=y").get_data(as_text=True)
    assert "测试市乙局" in listed(html)


# --- create and edit -----------------------------------------------------------------------


def test_create(world, login, db_session):
    client = login(world.supervisor)
    response = new_agency(client, world.city, " 测试市丁局 ", kind="party", short_name="丁局")
    assert response.status_code == 302
    (created,) = live_named(db_session, "测试市丁局")
    assert response.headers["Location"].endswith(f"/admin/agencies/{created.id}")
    assert (created.jurisdiction_id, created.kind, created.short_name) == (
        world.city.id,
        AgencyKind.party,
        "丁局",
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "测试市丁局" in page


def test_create_with_missing_fields_shows_field_errors(world, login, db_session):
    client = login(world.supervisor)
    response = client.post("/admin/agencies/new", data={"jurisdiction_id": world.city.id})
    assert response.status_code == 200
    assert len(form_errors(response.get_data(as_text=True))) >= 2  # name and kind
    assert db_session.scalar(select(func.count()).select_from(Agency)) == 3


def test_create_with_an_unknown_kind_is_a_field_error(world, login, db_session):
    response = new_agency(login(world.supervisor), world.city, "测试市戊局", kind="spaceship")
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert live_named(db_session, "测试市戊局") == []


def test_duplicate_name_in_the_same_jurisdiction_is_a_form_error(world, login, db_session):
    response = new_agency(login(world.supervisor), world.city, "测试市甲局")
    assert response.status_code == 200
    errors = form_errors(response.get_data(as_text=True))
    assert len(errors) == 1 and "测试市甲局" in errors[0]
    assert len(live_named(db_session, "测试市甲局")) == 1


def test_same_name_in_another_jurisdiction_is_allowed(world, login, db_session):
    response = new_agency(login(world.supervisor), world.district, "测试市甲局")
    assert response.status_code == 302
    assert {a.jurisdiction_id for a in live_named(db_session, "测试市甲局")} == {
        world.city.id,
        world.district.id,
    }


def test_edit_form_shows_the_current_values(world, login):
    client = login(world.supervisor)
    agency = world.agency_a
    client.post(
        f"/admin/agencies/{agency.id}/edit",
        data={"name": agency.name, "short_name": "甲", "kind": "court"},
    )
    html = client.get(f"/admin/agencies/{agency.id}/edit").get_data(as_text=True)
    assert 'value="测试市甲局"' in html and 'value="甲"' in html
    assert selected(html, "kind") == "court"
    assert selected(html, "jurisdiction_id") == str(world.city.id)


def test_edit(world, login, db_session):
    client = login(world.supervisor)
    response = client.post(
        f"/admin/agencies/{world.agency_a.id}/edit",
        data={"name": "测试市甲委员会", "short_name": "甲委", "kind": "party"},
    )
    assert response.status_code == 302
    db_session.refresh(world.agency_a)
    assert (world.agency_a.name, world.agency_a.short_name, world.agency_a.kind) == (
        "测试市甲委员会",
        "甲委",
        AgencyKind.party,
    )


def test_edit_cannot_move_an_agency_to_another_jurisdiction(world, login, db_session):
    client = login(world.supervisor)
    client.post(
        f"/admin/agencies/{world.agency_a.id}/edit",
        data={
            "jurisdiction_id": world.district.id,
            "name": "测试市甲局",
            "short_name": "",
            "kind": "government",
        },
    )
    db_session.refresh(world.agency_a)
    assert world.agency_a.jurisdiction_id == world.city.id


def test_edit_to_a_taken_name_is_a_form_error(world, login, db_session):
    response = login(world.supervisor).post(
        f"/admin/agencies/{world.agency_a.id}/edit",
        data={"name": "测试市乙局", "short_name": "", "kind": "government"},
    )
    assert response.status_code == 200
    assert len(form_errors(response.get_data(as_text=True))) == 1
    db_session.refresh(world.agency_a)
    assert world.agency_a.name == "测试市甲局"


# --- soft delete and restore ---------------------------------------------------------------


def test_delete_is_soft(world, login, db_session):
    client = login(world.supervisor)
    response = client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302
    db_session.refresh(world.agency_b)
    assert world.agency_b.deleted_at is not None
    assert len(world.agency_b.sections) == 2  # kept
    assert "测试市乙局" not in listed(client.get("/admin/agencies/").get_data(as_text=True))
    page = client.get(f"/admin/agencies/{world.agency_b.id}")
    assert page.status_code == 200
    assert f"/admin/agencies/{world.agency_b.id}/restore" in page.get_data(as_text=True)


def test_a_deleted_agency_cannot_be_edited(world, login, db_session):
    client = login(world.supervisor)
    client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    response = client.post(
        f"/admin/agencies/{world.agency_b.id}/edit",
        data={"name": "测试市乙局改", "short_name": "", "kind": "government"},
    )
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    db_session.refresh(world.agency_b)
    assert world.agency_b.name == "测试市乙局"


def test_restore(world, login, db_session):
    client = login(world.supervisor)
    client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    response = client.post(f"/admin/agencies/{world.agency_b.id}/restore")
    assert response.status_code == 302
    db_session.refresh(world.agency_b)
    assert world.agency_b.deleted_at is None
    assert "测试市乙局" in listed(client.get("/admin/agencies/").get_data(as_text=True))


def test_a_deleted_name_can_be_reused_and_then_blocks_the_restore(world, login, db_session):
    client = login(world.supervisor)
    client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    assert new_agency(client, world.city, "测试市乙局").status_code == 302

    response = client.post(f"/admin/agencies/{world.agency_b.id}/restore", follow_redirects=True)
    assert response.status_code == 200
    assert 'class="flash error"' in response.get_data(as_text=True)
    db_session.refresh(world.agency_b)
    assert world.agency_b.deleted_at is not None
    assert len(live_named(db_session, "测试市乙局")) == 1


def test_delete_and_restore_are_audited(world, login, db_session):
    client = login(world.supervisor)
    client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    client.post(f"/admin/agencies/{world.agency_b.id}/restore")
    entries = db_session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "agencies", AuditEntry.entity_id == world.agency_b.id)
        .where(AuditEntry.actor_id == world.supervisor.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["agency.delete", "agency.restore"]
    assert entries[0].before["deleted_at"] is None and entries[0].after["deleted_at"]
    assert entries[1].before["deleted_at"] and entries[1].after["deleted_at"] is None


# --- scope and roles -----------------------------------------------------------------------


def test_district_office_sees_only_its_own_agencies(world, login):
    client = login(world.district_supervisor)
    assert listed(client.get("/admin/agencies/").get_data(as_text=True)) == {"测试区丙局"}
    html = client.get(f"/admin/agencies/?jurisdiction_id={world.city.id}").get_data(as_text=True)
    assert listed(html) == {"测试区丙局"}
    html = client.get("/admin/agencies/new").get_data(as_text=True)
    assert f'value="{world.city.id}"' not in html


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/agencies/{id}"),
        ("GET", "/admin/agencies/{id}/edit"),
        ("POST", "/admin/agencies/{id}/edit"),
        ("POST", "/admin/agencies/{id}/delete"),
        ("POST", "/admin/agencies/{id}/restore"),
        ("POST", "/admin/agencies/{id}/sections"),
    ],
)
def test_district_office_cannot_touch_city_agencies(world, login, db_session, method, path):
    client = login(world.district_supervisor)
    data = {"name": "夺", "short_name": "", "kind": "government", "is_business": "y"}
    response = client.open(path.format(id=world.agency_a.id), method=method, data=data)
    assert response.status_code == 404
    db_session.refresh(world.agency_a)
    assert world.agency_a.name == "测试市甲局" and world.agency_a.deleted_at is None
    assert len(world.agency_a.sections) == 2


def test_district_office_cannot_create_in_the_city(world, login, db_session):
    response = new_agency(login(world.district_supervisor), world.city, "越权局")
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert live_named(db_session, "越权局") == []


def test_viewer_reads_lists_and_pages(world, login):
    client = login(world.viewer)
    assert client.get("/admin/agencies/").status_code == 200
    page = client.get(f"/admin/agencies/{world.agency_a.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/delete" not in html and "/edit" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/admin/agencies/new",
        "/admin/agencies/{id}/edit",
        "/admin/agencies/{id}/delete",
        "/admin/agencies/{id}/restore",
        "/admin/agencies/{id}/sections",
        "/admin/agencies/import",
    ],
)
def test_viewer_posts_are_forbidden(world, login, db_session, path):
    client = login(world.viewer)
    data = {"jurisdiction_id": world.city.id, "name": "观察局", "kind": "government"}
    response = client.post(path.format(id=world.agency_a.id), data=data)
    assert response.status_code == 403
    assert live_named(db_session, "观察局") == []
    db_session.refresh(world.agency_a)
    assert world.agency_a.deleted_at is None


# --- odd input -----------------------------------------------------------------------------


def test_control_characters_are_dropped_not_a_500(world, login, db_session):
    """PostgreSQL refuses NUL in text; a pasted name with one must still save."""
    client = login(world.supervisor)
    assert client.get("/admin/agencies/?q=%00").status_code == 200
    response = new_agency(client, world.city, "测试市\x00丁局\t", short_name="丁\x00")
    assert response.status_code == 302
    (created,) = live_named(db_session, "测试市丁局")
    assert created.short_name == "丁"
    response = client.post(
        f"/admin/agencies/{world.agency_a.id}/sections", data={"name": "法规\x00科\n"}
    )
    assert response.status_code == 302
    response = client.post(
        "/admin/jurisdictions/new", data={"name": "新\x00区", "parent_id": world.city.id}
    )
    assert response.status_code == 302
    assert client.get("/admin/agencies/?q=%E6%B3%95%00").status_code == 200
    html = client.get(f"/admin/agencies/{world.agency_a.id}").get_data(as_text=True)
    assert "<td>法规科</td>" in html


def test_markup_in_names_is_shown_as_text(world, login):
    client = login(world.supervisor)
    response = new_agency(client, world.city, "<script>alert(1)</script>局")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;局" in page
