"""User management by the 编办: create each role in its scope, edit, deactivate, reset."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey.accounts import services
from survey.accounts.models import LoginSession, Role, User
from survey.audit.models import AuditEntry
from tests.fixtures.client import form_errors
from tests.fixtures.data import PASSWORD

NEW_PASSWORD = "a long new passphrase"


def new_user(client, username, role, *, jurisdiction_id=0, agency_id=0, password=NEW_PASSWORD):
    return client.post(
        "/admin/users/new",
        data={
            "username": username,
            "display_name": f"{username} 的名字",
            "role": role,
            "jurisdiction_id": jurisdiction_id,
            "agency_id": agency_id,
            "password": password,
        },
    )


def find(db_session, username: str) -> User | None:
    return db_session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def user_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(User))


def listed(html: str) -> set[str]:
    return set(re.findall(r"<tr>\s*<td>([^<]+)</td>", html))


def selected(html: str, name: str) -> str | None:
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    match = re.search(r'<option selected value="([^"]*)"', select_html)
    return match.group(1) if match else None


def edit_data(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.value,
        "jurisdiction_id": user.jurisdiction_id or 0,
        "agency_id": user.agency_id or 0,
    }
    data.update(changes)
    return data


# --- list ----------------------------------------------------------------------------------


def test_city_office_lists_every_account_in_the_city_and_districts(world, login):
    html = login(world.supervisor).get("/admin/users/").get_data(as_text=True)
    assert listed(html) == {
        "sup", "dsup", "viewer", "editor-a", "leader-a", "editor-b", "editor-c",
    }  # fmt: skip


def test_district_office_sees_only_its_own_accounts(world, login):
    html = login(world.district_supervisor).get("/admin/users/").get_data(as_text=True)
    assert listed(html) == {"dsup", "editor-c"}


# --- create --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("supervisor", "jurisdiction"),
        ("viewer", "jurisdiction"),
        ("agency_editor", "agency"),
        ("agency_leader", "agency"),
    ],
)
def test_create_each_role_in_its_scope(app, world, login, db_session, role, scope):
    client = login(world.supervisor)
    ids = (
        {"jurisdiction_id": world.district.id}
        if scope == "jurisdiction"
        else {"agency_id": world.agency_c.id}
    )
    response = new_user(client, "new-user", role, **ids)
    assert response.status_code == 302, form_errors(response.get_data(as_text=True))
    user = find(db_session, "new-user")
    assert user.role is Role(role)
    assert (user.jurisdiction_id, user.agency_id) == (
        ids.get("jurisdiction_id"),
        ids.get("agency_id"),
    )
    assert user.is_active and user.must_change_password
    assert user.password_hash.startswith("$argon2id$")
    assert "new-user" in listed(client.get("/admin/users/").get_data(as_text=True))

    # The new account logs in with the initial password and must choose its own first.
    first = app.test_client().login("new-user", NEW_PASSWORD)
    assert "/account/password" in first.headers["Location"]


def test_a_scope_that_does_not_fit_the_role_is_dropped(world, login, db_session):
    """Both selects are on the form; only the one that fits the role is kept."""
    response = new_user(
        login(world.supervisor),
        "both",
        "agency_editor",
        jurisdiction_id=world.city.id,
        agency_id=world.agency_a.id,
    )
    assert response.status_code == 302
    user = find(db_session, "both")
    assert (user.jurisdiction_id, user.agency_id) == (None, world.agency_a.id)


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("supervisor", {"agency_id": "agency"}),
        ("viewer", {}),
        ("agency_editor", {"jurisdiction_id": "city"}),
        ("agency_leader", {}),
    ],
)
def test_a_role_without_its_scope_is_refused(world, login, db_session, role, scope):
    ids = {
        key: (world.agency_a.id if value == "agency" else world.city.id)
        for key, value in scope.items()
    }
    before = user_count(db_session)
    response = new_user(login(world.supervisor), "scopeless", role, **ids)
    assert response.status_code == 200
    assert len(form_errors(response.get_data(as_text=True))) == 1
    assert user_count(db_session) == before


def test_an_unknown_role_is_a_field_error(world, login, db_session):
    response = new_user(login(world.supervisor), "x-user", "admin", jurisdiction_id=world.city.id)
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert find(db_session, "x-user") is None


@pytest.mark.parametrize("username", ["sup", "SUP", "Editor-A"])
def test_duplicate_user_name_is_refused_whatever_the_case(world, login, db_session, username):
    before = user_count(db_session)
    response = new_user(login(world.supervisor), username, "viewer", jurisdiction_id=world.city.id)
    assert response.status_code == 200
    errors = form_errors(response.get_data(as_text=True))
    assert len(errors) == 1 and username in errors[0]
    assert user_count(db_session) == before


@pytest.mark.parametrize("username", ["张三", "a b", "bad/name"])
def test_user_name_characters_are_limited(world, login, db_session, username):
    before = user_count(db_session)
    response = new_user(login(world.supervisor), username, "viewer", jurisdiction_id=world.city.id)
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert user_count(db_session) == before


@pytest.mark.parametrize("password", ["short", "password123", "12345678", "weak-user"])
def test_weak_initial_passwords_are_refused(world, login, db_session, password):
    response = new_user(
        login(world.supervisor), "weak-user", "viewer",
        jurisdiction_id=world.city.id, password=password,
    )  # fmt: skip
    assert response.status_code == 200
    assert len(form_errors(response.get_data(as_text=True))) == 1
    assert find(db_session, "weak-user") is None


def test_create_is_audited_without_the_password(world, login, db_session):
    new_user(login(world.supervisor), "audited", "viewer", jurisdiction_id=world.city.id)
    user = find(db_session, "audited")
    entry = db_session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "user.create", AuditEntry.entity_id == user.id
        )
    )
    assert entry.actor_id == world.supervisor.id and entry.jurisdiction_id == world.city.id
    assert entry.after["role"] == "viewer" and entry.after["username"] == "audited"
    assert NEW_PASSWORD not in str(entry.after) and "password_hash" not in entry.after


def test_control_characters_in_the_name_are_dropped(world, login, db_session):
    client = login(world.supervisor)
    data = {
        "username": "tabby",
        "display_name": "张\x00三\t",
        "role": "viewer",
        "jurisdiction_id": world.city.id,
        "agency_id": 0,
        "password": NEW_PASSWORD,
    }
    assert client.post("/admin/users/new", data=data).status_code == 302
    assert find(db_session, "tabby").display_name == "张三"
    nul_name = client.post("/admin/users/new", data=data | {"username": "ta\x00bby"})
    assert nul_name.status_code == 200 and form_errors(nul_name.get_data(as_text=True))


# --- edit ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor_a", "viewer", "district_supervisor"])
def test_edit_form_selects_the_current_role_and_scope(world, login, who):
    user = getattr(world, who)
    html = login(world.supervisor).get(f"/admin/users/{user.id}/edit").get_data(as_text=True)
    assert selected(html, "role") == user.role.value
    assert selected(html, "jurisdiction_id") == str(user.jurisdiction_id or 0)
    assert selected(html, "agency_id") == str(user.agency_id or 0)


def test_edit_the_name_keeps_role_scope_and_sessions(app, world, login, db_session):
    other = app.test_client()
    other.login("editor-a", PASSWORD)
    response = login(world.supervisor).post(
        f"/admin/users/{world.editor_a.id}/edit",
        data=edit_data(world.editor_a, display_name="甲局 填报员"),
    )
    assert response.status_code == 302
    db_session.refresh(world.editor_a)
    assert world.editor_a.display_name == "甲局 填报员"
    assert world.editor_a.role is Role.agency_editor
    assert world.editor_a.agency_id == world.agency_a.id
    assert other.get("/agency/").status_code == 200


def test_changing_the_scope_ends_the_users_sessions(app, world, login, db_session):
    other = app.test_client()
    other.login("editor-a", PASSWORD)
    response = login(world.supervisor).post(
        f"/admin/users/{world.editor_a.id}/edit",
        data=edit_data(world.editor_a, agency_id=world.agency_b.id),
    )
    assert response.status_code == 302
    db_session.refresh(world.editor_a)
    assert world.editor_a.agency_id == world.agency_b.id
    assert other.get("/agency/").status_code == 302  # to the login page


def test_changing_the_role_moves_the_scope(world, login, db_session):
    response = login(world.supervisor).post(
        f"/admin/users/{world.editor_a.id}/edit",
        data=edit_data(world.editor_a, role="viewer", jurisdiction_id=world.city.id),
    )
    assert response.status_code == 302
    db_session.refresh(world.editor_a)
    assert (world.editor_a.role, world.editor_a.jurisdiction_id, world.editor_a.agency_id) == (
        Role.viewer,
        world.city.id,
        None,
    )


def test_edit_to_a_taken_user_name_is_refused(world, login, db_session):
    response = login(world.supervisor).post(
        f"/admin/users/{world.editor_a.id}/edit", data=edit_data(world.editor_a, username="Viewer")
    )
    assert response.status_code == 200
    assert len(form_errors(response.get_data(as_text=True))) == 1
    db_session.refresh(world.editor_a)
    assert world.editor_a.username == "editor-a"


def test_a_supervisor_cannot_change_its_own_role(world, login, db_session):
    client = login(world.supervisor)
    response = client.post(
        f"/admin/users/{world.supervisor.id}/edit",
        data=edit_data(world.supervisor, role="viewer"),
    )
    assert response.status_code == 200
    assert len(form_errors(response.get_data(as_text=True))) == 1
    db_session.refresh(world.supervisor)
    assert world.supervisor.role is Role.supervisor
    assert client.get("/admin/users/").status_code == 200


# --- deactivate, reactivate, reset ---------------------------------------------------------


def test_deactivate_kills_the_users_session_and_login(app, world, login, db_session):
    victim = app.test_client()
    victim.login("editor-a", PASSWORD)
    assert victim.get("/agency/").status_code == 200
    admin = login(world.supervisor)

    response = admin.post(
        f"/admin/users/{world.editor_a.id}/active", data={"active": "0", "confirmed": "1"}
    )
    assert response.status_code == 302
    db_session.refresh(world.editor_a)
    assert world.editor_a.is_active is False
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(LoginSession)
            .where(LoginSession.user_id == world.editor_a.id)
        )
        == 0
    )
    assert "/login" in victim.get("/agency/").headers["Location"]
    assert app.test_client().login("editor-a", PASSWORD).status_code == 200  # refused

    listing = admin.get("/admin/users/").get_data(as_text=True)
    assert "editor-a" not in listed(listing)
    assert "editor-a" in listed(admin.get("/admin/users/?show_inactive=y").get_data(as_text=True))


def test_reactivate(app, world, login, db_session):
    admin = login(world.supervisor)
    admin.post(f"/admin/users/{world.editor_a.id}/active", data={"active": "0", "confirmed": "1"})
    response = admin.post(f"/admin/users/{world.editor_a.id}/active", data={"active": "1"})
    assert response.status_code == 302
    db_session.refresh(world.editor_a)
    assert world.editor_a.is_active
    assert app.test_client().login("editor-a", PASSWORD).status_code == 302
    actions = db_session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "users", AuditEntry.entity_id == world.editor_a.id)
        .where(AuditEntry.actor_id == world.supervisor.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["user.deactivate", "user.activate"]


def test_a_supervisor_cannot_deactivate_itself(world, login, db_session):
    client = login(world.supervisor)
    listing = client.get("/admin/users/").get_data(as_text=True)
    assert f"/admin/users/{world.supervisor.id}/active" not in listing  # no button for it
    assert f"/admin/users/{world.viewer.id}/active" in listing
    response = client.post(
        f"/admin/users/{world.supervisor.id}/active",
        data={"active": "0"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert 'class="flash error"' in response.get_data(as_text=True)
    db_session.refresh(world.supervisor)
    assert world.supervisor.is_active
    assert client.get("/admin/users/").status_code == 200


def test_reset_password_forces_a_change_at_next_login(app, world, login, db_session):
    victim = app.test_client()
    victim.login("editor-a", PASSWORD)
    admin = login(world.supervisor)
    response = admin.post(
        f"/admin/users/{world.editor_a.id}/password", data={"password": "one time passphrase"}
    )
    assert response.status_code == 302
    db_session.refresh(world.editor_a)
    assert world.editor_a.must_change_password
    assert victim.get("/agency/").status_code == 302  # its session ended

    fresh = app.test_client()
    assert fresh.login("editor-a", PASSWORD).status_code == 200  # old password refused
    response = fresh.login("editor-a", "one time passphrase")
    assert "/account/password" in response.headers["Location"]
    assert "/account/password" in fresh.get("/agency/").headers["Location"]


def test_reset_to_a_weak_password_is_refused(world, login, db_session):
    before = world.editor_a.password_hash
    response = login(world.supervisor).post(
        f"/admin/users/{world.editor_a.id}/password",
        data={"password": "12345678"},
        follow_redirects=True,
    )
    assert 'class="flash error"' in response.get_data(as_text=True)
    db_session.refresh(world.editor_a)
    assert world.editor_a.password_hash == before and not world.editor_a.must_change_password


# --- scope and roles -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/admin/users/{id}/edit", None),
        ("POST", "/admin/users/{id}/edit", {"username": "taken-over", "display_name": "x"}),
        ("POST", "/admin/users/{id}/active", {"active": "0"}),
        ("POST", "/admin/users/{id}/password", {"password": "one time passphrase"}),
    ],
)
def test_district_office_cannot_touch_city_users(world, login, db_session, method, path, data):
    client = login(world.district_supervisor)
    for user in (world.supervisor, world.editor_a, world.viewer):
        response = client.open(path.format(id=user.id), method=method, data=data)
        assert response.status_code == 404
        db_session.refresh(user)
        assert user.is_active and not user.must_change_password
        assert user.username != "taken-over"


def test_district_office_cannot_create_city_accounts(world, login, db_session):
    client = login(world.district_supervisor)
    html = client.get("/admin/users/new").get_data(as_text=True)
    assert f'value="{world.city.id}"' not in html
    assert f'value="{world.agency_a.id}"' not in html
    for scope in ({"jurisdiction_id": world.city.id}, {"agency_id": world.agency_a.id}):
        role = "supervisor" if "jurisdiction_id" in scope else "agency_editor"
        response = new_user(client, "grab", role, **scope)
        assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert find(db_session, "grab") is None
    assert new_user(client, "ok", "agency_editor", agency_id=world.agency_c.id).status_code == 302


@pytest.mark.parametrize("who", ["viewer", "editor_a"])
def test_only_supervisors_manage_accounts(world, login, db_session, who):
    client = login(getattr(world, who))
    assert client.get("/admin/users/").status_code == 403
    response = new_user(client, "sneaky", "supervisor", jurisdiction_id=world.city.id)
    assert response.status_code == 403
    response = client.post(
        f"/admin/users/{world.supervisor.id}/active", data={"active": "0", "confirmed": "1"}
    )
    assert response.status_code == 403
    assert find(db_session, "sneaky") is None
    db_session.refresh(world.supervisor)
    assert world.supervisor.is_active


# --- two supervisors at once ---------------------------------------------------------------


def test_a_user_name_taken_meanwhile_is_a_message(world, login, db_session, monkeypatch):
    """The check passed for both; the unique constraint stops the second request."""
    monkeypatch.setattr(services, "_check_username_free", lambda *args: None)
    client = login(world.supervisor)
    before = user_count(db_session)
    response = new_user(client, "viewer", "viewer", jurisdiction_id=world.city.id)
    assert response.status_code == 200
    (message,) = form_errors(response.get_data(as_text=True))
    assert "viewer" in message
    assert user_count(db_session) == before

    response = client.post(
        f"/admin/users/{world.editor_a.id}/edit",
        data=edit_data(world.editor_a, username="editor-b", agency_id=world.agency_b.id),
    )
    assert response.status_code == 200 and len(form_errors(response.get_data(as_text=True))) == 1
    db_session.refresh(world.editor_a)
    assert (world.editor_a.username, world.editor_a.agency_id) == ("editor-a", world.agency_a.id)
