"""Two supervisors saving the same name at once: the service's check passes for both, the
database's unique index stops the second, and that user gets the friendly message."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.agencies import importing, services
from survey.agencies.models import Agency, AgencyKind, Jurisdiction, Section
from survey.db import db
from tests.agencies.test_import import upload, workbook
from tests.fixtures.client import form_errors


@pytest.fixture
def check_too_late(monkeypatch):
    """The name check runs before the other request commits, so it sees nothing."""
    monkeypatch.setattr(services, "_name_taken", lambda *args, **kwargs: False)


def count(db_session, model, **where) -> int:
    statement = select(func.count()).select_from(model)
    for name, value in where.items():
        statement = statement.where(getattr(model, name) == value)
    return db_session.scalar(statement.where(model.deleted_at.is_(None)))


def test_agency_create(world, login, db_session, check_too_late):
    response = login(world.supervisor).post(
        "/admin/agencies/new",
        data={"jurisdiction_id": world.city.id, "name": "测试市甲局", "kind": "government"},
    )
    assert response.status_code == 200
    (message,) = form_errors(response.get_data(as_text=True))
    assert "测试市甲局" in message
    assert count(db_session, Agency, name="测试市甲局") == 1


def test_agency_rename(world, login, db_session, check_too_late):
    response = login(world.supervisor).post(
        f"/admin/agencies/{world.agency_a.id}/edit",
        data={"name": "测试市乙局", "short_name": "", "kind": "government"},
    )
    assert response.status_code == 200 and len(form_errors(response.get_data(as_text=True))) == 1
    db_session.refresh(world.agency_a)
    assert world.agency_a.name == "测试市甲局"


def test_agency_restore(world, login, db_session, check_too_late):
    client = login(world.supervisor)
    client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    client.post(
        "/admin/agencies/new",
        data={"jurisdiction_id": world.city.id, "name": "测试市乙局", "kind": "government"},
    )
    response = client.post(f"/admin/agencies/{world.agency_b.id}/restore", follow_redirects=True)
    assert response.status_code == 200
    assert 'class="flash error"' in response.get_data(as_text=True)
    db_session.refresh(world.agency_b)
    assert world.agency_b.deleted_at is not None


def test_section_create_and_rename(world, login, db_session, check_too_late):
    client = login(world.supervisor)
    response = client.post(f"/admin/agencies/{world.agency_a.id}/sections", data={"name": "办公室"})
    assert response.status_code == 400 and len(form_errors(response.get_data(as_text=True))) == 1
    section = db_session.scalar(
        select(Section).where(Section.agency_id == world.agency_a.id, Section.name == "办公室")
    )
    response = client.post(f"/admin/agencies/sections/{section.id}/edit", data={"name": "业务一科"})
    assert response.status_code == 200 and len(form_errors(response.get_data(as_text=True))) == 1
    assert count(db_session, Section, agency_id=world.agency_a.id) == 2


def test_jurisdiction_rename(world, login, db_session, check_too_late):
    client = login(world.supervisor)
    client.post("/admin/jurisdictions/new", data={"name": "第二区", "parent_id": world.city.id})
    second = db_session.scalar(select(Jurisdiction).where(Jurisdiction.name == "第二区"))
    response = client.post(f"/admin/jurisdictions/{second.id}/edit", data={"name": "测试区"})
    assert response.status_code == 200 and len(form_errors(response.get_data(as_text=True))) == 1
    response = client.post(
        "/admin/jurisdictions/new", data={"name": "测试区", "parent_id": world.city.id}
    )
    assert response.status_code == 200 and len(form_errors(response.get_data(as_text=True))) == 1


def test_import_loses_the_race_and_imports_nothing(world, login, db_session, monkeypatch):
    real_parse = importing.parse

    def parse_then_someone_else_saves(session, data, jurisdictions):
        result = real_parse(session, data, jurisdictions)
        services.create_agency(
            db.session, None, jurisdiction_id=world.city.id, name="测试市丁局", short_name="",
            kind=AgencyKind.other,
        )  # fmt: skip
        return result

    monkeypatch.setattr(importing, "parse", parse_then_someone_else_saves)
    monkeypatch.setattr(services, "_name_taken", lambda *args, **kwargs: False)
    rows = [
        ("测试市戊局", "", "行政机关", "测试市", ""),
        ("测试市丁局", "", "行政机关", "测试市", ""),
    ]
    response = upload(login(world.supervisor), workbook(rows))
    assert response.status_code == 200
    assert "测试市丁局" in response.get_data(as_text=True)
    assert count(db_session, Agency, name="测试市戊局") == 0
