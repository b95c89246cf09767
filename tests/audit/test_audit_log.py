"""The audit log: every change is written with its actor, the screen filters and pages it,
each office reads only its own entries, and the database refuses to change history."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError

from survey.audit.labels import ACTION_LABELS, ENTITY_LABELS
from survey.audit.models import AuditEntry
from tests.scores.conftest import mark_final

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def rows(response) -> list[tuple[str, str, str, str]]:
    """(time, user, action code, "type:id") of each entry on the page."""
    page = response.get_data(as_text=True)
    return re.findall(
        r'<tr><td>([^<]*)</td><td>([^<]*)</td><td data-action="([^"]*)">[^<]*</td>'
        r'<td data-record="([^"]*)">',
        page,
    )


def actions(response) -> list[str]:
    return [action for _, _, action, _ in rows(response)]


def add_entries(db_session, world, count, *, action="test.entry", at=None, jurisdiction=None):
    db_session.add_all(
        AuditEntry(
            actor_id=world.supervisor.id,
            jurisdiction_id=(jurisdiction or world.city).id,
            action=action,
            entity_type="agencies",
            entity_id=number,
            after={"n": number},
            **({"created_at": at} if at else {}),
        )
        for number in range(count)
    )
    db_session.commit()


def a_change_of_every_kind(client, world, db_session):
    client.post("/admin/jurisdictions/new", data={"name": "新区", "parent_id": world.city.id})
    client.post(f"/admin/jurisdictions/{world.district.id}/edit", data={"name": "改名区"})
    client.post(
        "/admin/agencies/new",
        data={"jurisdiction_id": world.city.id, "name": "测试市丁局", "kind": "court"},
    )
    client.post(
        f"/admin/agencies/{world.agency_a.id}/edit",
        data={"name": "测试市甲局", "short_name": "甲", "kind": "government"},
    )
    client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    client.post(f"/admin/agencies/{world.agency_b.id}/restore")
    client.post(f"/admin/agencies/{world.agency_a.id}/sections", data={"name": "法规科"})
    client.post(
        "/admin/users/new",
        data={
            "username": "new-viewer",
            "display_name": "新观察员",
            "role": "viewer",
            "jurisdiction_id": world.city.id,
            "agency_id": 0,
            "password": "a long new passphrase",
        },
    )
    client.post(f"/admin/users/{world.editor_b.id}/active", data={"active": "0", "confirmed": "1"})
    client.post(f"/admin/users/{world.editor_b.id}/active", data={"active": "1"})
    client.post(
        f"/admin/users/{world.editor_b.id}/password", data={"password": "one time passphrase"}
    )
    client.post("/admin/years/new", data={"jurisdiction_id": world.city.id, "year": 2027})
    client.post(f"/admin/years/{world.year.id}/open")
    mark_final(db_session, world)
    client.post(f"/admin/years/{world.year.id}/close", data={"confirmed": "1"})


EXPECTED = {
    "jurisdiction.create",
    "jurisdiction.update",
    "agency.create",
    "agency.update",
    "agency.delete",
    "agency.restore",
    "section.create",
    "user.create",
    "user.deactivate",
    "user.activate",
    "user.reset_password",
    "year.create",
    "year.open",
    "year.close",
}


def test_every_change_is_written_with_its_actor(world, login, db_session):
    first_id = db_session.scalar(select(func.max(AuditEntry.id)))
    a_change_of_every_kind(login(world.supervisor), world, db_session)
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.id > first_id)).all()
    assert {e.action for e in entries} == EXPECTED
    assert EXPECTED <= ACTION_LABELS.keys()  # the screen names each of them
    assert {e.entity_type for e in entries} <= ENTITY_LABELS.keys()
    assert {e.actor_id for e in entries} == {world.supervisor.id}
    for entry in entries:
        assert entry.entity_id is not None and entry.jurisdiction_id is not None, entry
        assert entry.created_at.tzinfo is not None
        if entry.action.endswith((".update", ".delete", ".restore", "activate", ".open", ".close")):
            assert entry.before is not None and entry.after is not None, entry
            assert entry.before != entry.after, entry
        if entry.action.endswith(".create"):
            assert entry.before is None and entry.after, entry


def test_the_screen_lists_entries_newest_first_with_before_and_after(world, login):
    client = login(world.supervisor)
    client.post(f"/admin/jurisdictions/{world.district.id}/edit", data={"name": "改名区"})
    response = client.get("/admin/audit/")
    assert response.status_code == 200
    time, user, action, record = rows(response)[0]
    assert (user, action, record) == (
        "sup",
        "jurisdiction.update",
        f"jurisdictions:{world.district.id}",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", time)
    english = client.get("/admin/audit/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert ">Jurisdiction renamed</td>" in english and "Jurisdiction #" in english
    assert '<option value="agency.create">Agency created</option>' in english
    page = response.get_data(as_text=True)
    assert "测试区" in page and "改名区" in page  # before and after
    # Entries written without a logged-in actor (the fixtures) show as the system.
    assert rows(response)[-1][1] not in {"", "sup"}


def test_filter_by_user_ignores_case(world, login):
    client = login(world.supervisor)
    client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    listed = rows(client.get("/admin/audit/?actor=SUP"))
    assert listed and {user for _, user, _, _ in listed} == {"sup"}
    assert rows(client.get("/admin/audit/?actor=nobody")) == []


def test_filter_by_action_and_record_type(world, login, db_session):
    client = login(world.supervisor)
    a_change_of_every_kind(client, world, db_session)
    assert set(actions(client.get("/admin/audit/?action=agency.delete"))) == {"agency.delete"}
    by_type = rows(client.get("/admin/audit/?entity_type=assessment_years"))
    assert {record.split(":")[0] for _, _, _, record in by_type} == {"assessment_years"}
    assert {"year.create", "year.open", "year.close"} <= {action for _, _, action, _ in by_type}
    both = actions(client.get("/admin/audit/?entity_type=users&action=user.deactivate"))
    assert both == ["user.deactivate"]


def test_filter_choices_offer_only_what_is_in_scope(world, login):
    supervisor = login(world.supervisor)
    supervisor.post(f"/admin/agencies/{world.agency_a.id}/delete", data={"confirmed": "1"})
    supervisor.post("/account/logout")  # login() shares one client
    client = login(world.district_supervisor)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert 'value="agency.delete"' not in page
    # Asking for it anyway is not an error, and shows nothing of the city.
    response = client.get("/admin/audit/?action=agency.delete")
    assert response.status_code == 200
    assert "agency.delete" not in actions(response)


def test_filter_by_date_range_in_local_time(world, login, db_session):
    late = dt.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)  # 15:30 UTC on 1 March
    early = dt.datetime(2026, 3, 2, 0, 30, tzinfo=SHANGHAI)  # 16:30 UTC on 1 March
    add_entries(db_session, world, 1, action="test.first", at=late)
    add_entries(db_session, world, 1, action="test.second", at=early)
    add_entries(db_session, world, 1, action="test.third", at=early + dt.timedelta(days=2))
    client = login(world.supervisor)

    first_day = client.get("/admin/audit/?date_from=2026-03-01&date_to=2026-03-01")
    assert [(time, action) for time, _, action, _ in rows(first_day)] == [
        ("2026-03-01 23:30", "test.first")  # shown in local time too
    ]
    assert actions(client.get("/admin/audit/?date_from=2026-03-02&date_to=2026-03-03")) == [
        "test.second"
    ]
    assert actions(client.get("/admin/audit/?date_from=2026-03-02&action=test.third")) == [
        "test.third"
    ]
    assert actions(client.get("/admin/audit/?date_to=2026-03-02&action=test.third")) == []


def test_a_bad_date_is_a_message_not_an_error(world, login):
    response = login(world.supervisor).get("/admin/audit/?date_from=yesterday")
    assert response.status_code == 200
    assert 'class="flash error"' in response.get_data(as_text=True)


def test_pagination(world, login, db_session):
    add_entries(db_session, world, 120, action="test.page")
    client = login(world.supervisor)
    first = client.get("/admin/audit/?action=test.page")
    second = client.get("/admin/audit/?action=test.page&page=2")
    third = client.get("/admin/audit/?action=test.page&page=3")
    assert [len(rows(page)) for page in (first, second, third)] == [50, 50, 20]
    numbers = [
        entry
        for page in (first, second, third)
        for entry in re.findall(r"&#34;n&#34;: (\d+)", page.get_data(as_text=True))
    ]
    assert [int(n) for n in numbers] == list(range(119, -1, -1))  # newest first, none twice

    html = first.get_data(as_text=True)
    assert "page=2" in html and "action=test.page" in html  # the next link keeps the filter
    assert "page=4" not in third.get_data(as_text=True)
    for page in ("99", "0", "-3", "abc"):
        assert client.get(f"/admin/audit/?action=test.page&page={page}").status_code == 200


def test_district_office_reads_only_its_own_entries(world, login, db_session):
    city = login(world.supervisor)
    city.post(f"/admin/agencies/{world.agency_a.id}/delete", data={"confirmed": "1"})
    city.post(f"/admin/agencies/{world.agency_c.id}/delete", data={"confirmed": "1"})
    city.post("/account/logout")

    client = login(world.district_supervisor)
    listed = rows(client.get("/admin/audit/"))
    records = {record for _, _, _, record in listed}
    assert f"agencies:{world.agency_c.id}" in records
    assert f"agencies:{world.agency_a.id}" not in records
    assert f"users:{world.supervisor.id}" not in records
    visible = db_session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.jurisdiction_id == world.district.id)
    )
    assert len(listed) == visible
    assert rows(client.get("/admin/audit/?actor=sup&entity_type=agencies")) == [
        row for row in listed if row[1] == "sup"
    ]


def test_viewer_reads_the_log(world, login):
    supervisor = login(world.supervisor)
    supervisor.post(f"/admin/agencies/{world.agency_a.id}/delete", data={"confirmed": "1"})
    supervisor.post("/account/logout")  # login() shares one client
    client = login(world.viewer)
    response = client.get("/admin/audit/")
    assert response.status_code == 200 and "agency.delete" in actions(response)
    assert "/admin/users/" not in response.get_data(as_text=True)  # it is the viewer's page


# --- the database keeps the log append-only ------------------------------------------------


def rejected(db_session, statement) -> bool:
    try:
        with db_session.begin_nested():
            db_session.execute(statement)
    except DBAPIError as error:
        return "append-only" in str(error.orig)
    return False


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEntry).values(action="forged"),
        update(AuditEntry).values(before=None, after=None),
        delete(AuditEntry),
        text("DELETE FROM audit_log WHERE id = (SELECT MIN(id) FROM audit_log)"),
    ],
    ids=["update-action", "update-values", "delete-all", "delete-one"],
)
def test_the_database_refuses_to_change_the_log(world, db_session, statement):
    before = db_session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert before
    assert rejected(db_session, statement)
    db_session.expire_all()
    assert db_session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() == before


def test_the_orm_cannot_edit_an_entry_either(world, db_session):
    entry = db_session.scalar(select(AuditEntry).order_by(AuditEntry.id))
    with db_session.begin_nested():
        entry.action = "forged"
        with pytest.raises(DBAPIError, match="append-only"):
            db_session.flush()
    db_session.expire_all()
    assert db_session.get(AuditEntry, entry.id).action != "forged"


def test_inserting_is_allowed(world, db_session):
    count = db_session.scalar(select(func.count()).select_from(AuditEntry))
    add_entries(db_session, world, 2)
    assert db_session.scalar(select(func.count()).select_from(AuditEntry)) == count + 2


def test_odd_filter_input_is_not_an_error(world, login):
    client = login(world.supervisor)
    for query in ("actor=a%00b", "actor=" + "x" * 80, "entity_type=%00", "date_to=2026-02-30"):
        assert client.get(f"/admin/audit/?{query}").status_code == 200, query
