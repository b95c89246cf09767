"""Sections (内设机构) of an agency: add, edit, the business flag, duplicate names, removal."""

from __future__ import annotations

from sqlalchemy import select

from survey.agencies.models import Section
from survey.audit.models import AuditEntry
from tests.fixtures.client import form_errors


def sections(db_session, agency, *, live=True) -> dict[str, bool]:
    db_session.expire_all()  # requests changed the rows this session may hold
    statement = select(Section).where(Section.agency_id == agency.id)
    if live:
        statement = statement.where(Section.deleted_at.is_(None))
    return {s.name: s.is_business for s in db_session.scalars(statement)}


def section_named(db_session, agency, name) -> Section:
    return db_session.scalar(
        select(Section).where(
            Section.agency_id == agency.id, Section.name == name, Section.deleted_at.is_(None)
        )
    )


def test_agency_page_lists_live_sections_with_the_business_flag(world, login):
    html = (
        login(world.supervisor).get(f"/admin/agencies/{world.agency_a.id}").get_data(as_text=True)
    )
    assert "办公室" in html and "业务一科" in html
    assert f"/admin/agencies/{world.agency_a.id}/sections" in html


def test_add_a_business_section(world, login, db_session):
    client = login(world.supervisor)
    response = client.post(
        f"/admin/agencies/{world.agency_a.id}/sections",
        data={"name": " 法规科 ", "is_business": "y"},
    )
    assert response.status_code == 302
    assert sections(db_session, world.agency_a) == {
        "办公室": False,
        "业务一科": True,
        "法规科": True,
    }
    assert "法规科" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_add_a_section_that_is_not_a_business_section(world, login, db_session):
    login(world.supervisor).post(
        f"/admin/agencies/{world.agency_a.id}/sections", data={"name": "人事科"}
    )
    assert sections(db_session, world.agency_a)["人事科"] is False


def test_duplicate_section_name_is_a_form_error(world, login, db_session):
    response = login(world.supervisor).post(
        f"/admin/agencies/{world.agency_a.id}/sections", data={"name": "办公室"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert len(form_errors(html)) == 1 and "办公室" in form_errors(html)[0]
    assert len(sections(db_session, world.agency_a)) == 2


def test_same_section_name_in_another_agency_is_allowed(world, login, db_session):
    # Both agencies already have 办公室; a new name shared by two agencies is fine too.
    client = login(world.supervisor)
    for agency in (world.agency_a, world.agency_b):
        response = client.post(f"/admin/agencies/{agency.id}/sections", data={"name": "财务科"})
        assert response.status_code == 302


def test_blank_section_name_is_a_field_error(world, login, db_session):
    response = login(world.supervisor).post(
        f"/admin/agencies/{world.agency_a.id}/sections", data={"name": "  "}
    )
    assert response.status_code == 400 and form_errors(response.get_data(as_text=True))
    assert len(sections(db_session, world.agency_a)) == 2


def test_edit_a_section_and_its_flag(world, login, db_session):
    section = section_named(db_session, world.agency_a, "办公室")
    client = login(world.supervisor)
    form = client.get(f"/admin/agencies/sections/{section.id}/edit").get_data(as_text=True)
    assert 'value="办公室"' in form

    response = client.post(
        f"/admin/agencies/sections/{section.id}/edit", data={"name": "综合科", "is_business": "y"}
    )
    assert response.status_code == 302
    assert sections(db_session, world.agency_a) == {"综合科": True, "业务一科": True}

    # An unticked box turns the flag off.
    client.post(f"/admin/agencies/sections/{section.id}/edit", data={"name": "综合科"})
    assert sections(db_session, world.agency_a)["综合科"] is False


def test_edit_to_a_taken_name_is_a_form_error(world, login, db_session):
    section = section_named(db_session, world.agency_a, "办公室")
    response = login(world.supervisor).post(
        f"/admin/agencies/sections/{section.id}/edit", data={"name": "业务一科"}
    )
    assert response.status_code == 200
    assert len(form_errors(response.get_data(as_text=True))) == 1
    assert sections(db_session, world.agency_a) == {"办公室": False, "业务一科": True}


def test_remove_is_soft_and_frees_the_name(world, login, db_session):
    section = section_named(db_session, world.agency_a, "业务一科")
    client = login(world.supervisor)
    response = client.post(f"/admin/agencies/sections/{section.id}/delete")
    assert response.status_code == 302
    assert sections(db_session, world.agency_a) == {"办公室": False}
    assert "业务一科" in sections(db_session, world.agency_a, live=False)  # the row is kept
    html = client.get(f"/admin/agencies/{world.agency_a.id}").get_data(as_text=True)
    assert "<td>业务一科</td>" not in html and "<td>办公室</td>" in html

    response = client.post(
        f"/admin/agencies/{world.agency_a.id}/sections", data={"name": "业务一科"}
    )
    assert response.status_code == 302
    assert sections(db_session, world.agency_a) == {"办公室": False, "业务一科": False}


def test_a_removed_section_cannot_be_edited(world, login, db_session):
    section = section_named(db_session, world.agency_a, "业务一科")
    client = login(world.supervisor)
    client.post(f"/admin/agencies/sections/{section.id}/delete")
    assert client.get(f"/admin/agencies/sections/{section.id}/edit").status_code == 404
    response = client.post(
        f"/admin/agencies/sections/{section.id}/edit", data={"name": "复活科", "is_business": "y"}
    )
    assert response.status_code == 404
    assert "复活科" not in sections(db_session, world.agency_a, live=False)


def test_a_deleted_agency_takes_no_new_sections(world, login, db_session):
    client = login(world.supervisor)
    client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    response = client.post(f"/admin/agencies/{world.agency_b.id}/sections", data={"name": "新科"})
    assert response.status_code == 400 and form_errors(response.get_data(as_text=True))
    assert "新科" not in sections(db_session, world.agency_b, live=False)


def test_section_changes_are_audited(world, login, db_session):
    client = login(world.supervisor)
    client.post(f"/admin/agencies/{world.agency_a.id}/sections", data={"name": "法规科"})
    section = section_named(db_session, world.agency_a, "法规科")
    client.post(
        f"/admin/agencies/sections/{section.id}/edit", data={"name": "法规科", "is_business": "y"}
    )
    client.post(f"/admin/agencies/sections/{section.id}/delete")
    entries = db_session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "sections", AuditEntry.entity_id == section.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action for e in entries] == ["section.create", "section.update", "section.delete"]
    assert {e.actor_id for e in entries} == {world.supervisor.id}
    assert {e.jurisdiction_id for e in entries} == {world.city.id}
    assert entries[1].before["is_business"] is False and entries[1].after["is_business"] is True
    assert entries[2].after["deleted_at"] is not None


def test_district_office_cannot_touch_city_sections(world, login, db_session):
    section = section_named(db_session, world.agency_a, "办公室")
    client = login(world.district_supervisor)
    assert client.get(f"/admin/agencies/sections/{section.id}/edit").status_code == 404
    response = client.post(f"/admin/agencies/sections/{section.id}/edit", data={"name": "夺"})
    assert response.status_code == 404
    assert client.post(f"/admin/agencies/sections/{section.id}/delete").status_code == 404
    assert sections(db_session, world.agency_a) == {"办公室": False, "业务一科": True}


def test_viewer_cannot_change_sections(world, login, db_session):
    section = section_named(db_session, world.agency_a, "办公室")
    client = login(world.viewer)
    assert client.post(f"/admin/agencies/sections/{section.id}/delete").status_code == 403
    response = client.post(f"/admin/agencies/sections/{section.id}/edit", data={"name": "看"})
    assert response.status_code == 403
    assert sections(db_session, world.agency_a) == {"办公室": False, "业务一科": True}


def test_sections_of_a_deleted_agency_are_read_only(world, login, db_session):
    section = section_named(db_session, world.agency_b, "办公室")
    client = login(world.supervisor)
    client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    html = client.get(f"/admin/agencies/{world.agency_b.id}").get_data(as_text=True)
    assert "<td>办公室</td>" in html and "/edit" not in html
    response = client.post(
        f"/admin/agencies/sections/{section.id}/edit", data={"name": "改名科", "is_business": "y"}
    )
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert sections(db_session, world.agency_b) == {"办公室": False, "业务一科": True}
