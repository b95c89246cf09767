"""The jurisdictions screen: list, create under a parent, rename, duplicate names."""

from __future__ import annotations

from sqlalchemy import func, select

from survey.agencies.models import Jurisdiction
from survey.agencies.queries import jurisdiction_ids_under
from survey.audit.models import AuditEntry
from survey.i18n import TRANSLATIONS
from tests.fixtures.client import form_errors

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def count_named(db_session, name: str) -> int:
    return db_session.scalar(
        select(func.count()).select_from(Jurisdiction).where(Jurisdiction.name == name)
    )


def test_list_shows_the_city_and_its_district(world, login):
    html = login(world.supervisor).get("/admin/jurisdictions/").get_data(as_text=True)
    assert "测试市" in html and "测试区" in html
    assert f"/admin/jurisdictions/{world.district.id}/edit" in html


def test_district_office_lists_only_its_district(world, login):
    response = login(world.district_supervisor).get("/admin/jurisdictions/")
    html = response.get_data(as_text=True)
    assert "测试区" in html
    assert f"/admin/jurisdictions/{world.city.id}/edit" not in html


def test_create_under_a_parent(world, login, db_session):
    client = login(world.supervisor)
    form = client.get("/admin/jurisdictions/new").get_data(as_text=True)
    assert f'value="{world.city.id}"' in form

    response = client.post(
        "/admin/jurisdictions/new", data={"name": " 新城区 ", "parent_id": world.city.id}
    )
    assert response.status_code == 302
    created = db_session.scalar(select(Jurisdiction).where(Jurisdiction.name == "新城区"))
    assert created is not None and created.parent_id == world.city.id
    listing = client.get("/admin/jurisdictions/").get_data(as_text=True)
    assert "新城区" in listing


def test_district_office_creates_only_under_its_own_district(world, login, db_session):
    client = login(world.district_supervisor)
    refused = client.post(
        "/admin/jurisdictions/new", data={"name": "越权区", "parent_id": world.city.id}
    )
    assert refused.status_code == 200 and form_errors(refused.get_data(as_text=True))
    assert count_named(db_session, "越权区") == 0

    allowed = client.post(
        "/admin/jurisdictions/new", data={"name": "某街道", "parent_id": world.district.id}
    )
    assert allowed.status_code == 302
    assert count_named(db_session, "某街道") == 1


def test_create_without_a_parent_is_a_form_error(world, login, db_session):
    response = login(world.supervisor).post("/admin/jurisdictions/new", data={"name": "孤岛"})
    assert response.status_code == 200
    assert form_errors(response.get_data(as_text=True))
    assert count_named(db_session, "孤岛") == 0


def test_duplicate_name_under_the_same_parent_is_refused(world, login, db_session):
    client = login(world.supervisor)
    response = client.post(
        "/admin/jurisdictions/new",
        data={"name": "测试区", "parent_id": world.city.id},
        headers=ZH,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'lang="zh-CN"' in html
    errors = form_errors(html)
    assert len(errors) == 1 and "测试区" in errors[0]
    assert count_named(db_session, "测试区") == 1


def test_blank_name_is_a_field_error(world, login, db_session):
    response = login(world.supervisor).post(
        "/admin/jurisdictions/new", data={"name": "   ", "parent_id": world.city.id}
    )
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert db_session.scalar(select(func.count()).select_from(Jurisdiction)) == 2


def test_rename(world, login, db_session):
    client = login(world.supervisor)
    page = client.get(f"/admin/jurisdictions/{world.district.id}/edit")
    assert 'value="测试区"' in page.get_data(as_text=True)

    response = client.post(
        f"/admin/jurisdictions/{world.district.id}/edit", data={"name": "改名区"}
    )
    assert response.status_code == 302
    db_session.refresh(world.district)
    assert world.district.name == "改名区" and world.district.parent_id == world.city.id


def test_rename_to_a_sibling_name_is_refused(world, login, db_session):
    client = login(world.supervisor)
    client.post("/admin/jurisdictions/new", data={"name": "第二区", "parent_id": world.city.id})
    second = db_session.scalar(select(Jurisdiction).where(Jurisdiction.name == "第二区"))

    response = client.post(f"/admin/jurisdictions/{second.id}/edit", data={"name": "测试区"})
    assert response.status_code == 200
    assert form_errors(response.get_data(as_text=True))
    db_session.refresh(second)
    assert second.name == "第二区"


def test_keeping_the_same_name_is_allowed(world, login):
    response = login(world.supervisor).post(
        f"/admin/jurisdictions/{world.district.id}/edit", data={"name": "测试区"}
    )
    assert response.status_code == 302


def test_changes_are_audited(world, login, db_session):
    client = login(world.supervisor)
    client.post(f"/admin/jurisdictions/{world.district.id}/edit", data={"name": "改名区"})
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "jurisdiction.update"))
    assert entry.actor_id == world.supervisor.id
    assert entry.entity_id == world.district.id
    assert entry.before["name"] == "测试区" and entry.after["name"] == "改名区"


def test_viewer_reads_but_cannot_write(world, login, db_session):
    client = login(world.viewer)
    assert client.get("/admin/jurisdictions/").status_code == 200
    assert client.get("/admin/jurisdictions/new").status_code == 403
    response = client.post(
        "/admin/jurisdictions/new", data={"name": "观察区", "parent_id": world.city.id}
    )
    assert response.status_code == 403
    assert count_named(db_session, "观察区") == 0


def test_district_office_cannot_rename_the_city(world, login, db_session):
    client = login(world.district_supervisor)
    response = client.post(f"/admin/jurisdictions/{world.city.id}/edit", data={"name": "夺权市"})
    assert response.status_code == 404
    db_session.refresh(world.city)
    assert world.city.name == "测试市"


def test_duplicate_message_follows_the_browser_language(world, login):
    client = login(world.supervisor)
    data = {"name": "测试区", "parent_id": world.city.id}
    english = client.post("/admin/jurisdictions/new", data=data, headers={"Accept-Language": "en"})
    (message,) = form_errors(english.get_data(as_text=True))
    assert "already exists" in message and "测试区" in message
    chinese = client.post("/admin/jurisdictions/new", data=data, headers=ZH)
    (message,) = form_errors(chinese.get_data(as_text=True))
    assert "测试区" in message
    if (TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.mo").exists():
        assert "already exists" not in message


def test_the_tree_under_a_jurisdiction_is_found_at_every_depth(world, db_session):
    """An office reads its own jurisdiction and everything nested under it, at any depth;
    a sibling's branch and the levels above stay out."""
    town = Jurisdiction(name="测试镇", parent_id=world.district.id)
    other = Jurisdiction(name="另一区", parent_id=world.city.id)
    db_session.add_all([town, other])
    db_session.flush()
    village = Jurisdiction(name="测试村", parent_id=town.id)
    db_session.add(village)
    db_session.flush()

    assert jurisdiction_ids_under(db_session, world.district.id) == [
        world.district.id, town.id, village.id,
    ]  # fmt: skip
    assert jurisdiction_ids_under(db_session, world.city.id)[0] == world.city.id
    assert set(jurisdiction_ids_under(db_session, world.city.id)) == {
        world.city.id, world.district.id, town.id, village.id, other.id,
    }  # fmt: skip
    assert jurisdiction_ids_under(db_session, village.id) == [village.id]
