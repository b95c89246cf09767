"""Login, logout and sessions (ECOSYSTEM.md §11 checks 1–8)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from survey.accounts.models import LoginSession, User
from survey.accounts.passwords import password_problem
from tests.fixtures.data import PASSWORD


def session_cookie(client, app):
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie else None


def change(client, current, new):
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm": new},
    )


def test_login_lands_on_the_portal_of_the_role(world, client):
    assert client.login("sup", PASSWORD).headers["Location"].endswith("/admin/")
    client.post("/account/logout")
    assert client.login("editor-a", PASSWORD).headers["Location"].endswith("/agency/")


def test_wrong_password_and_unknown_user_get_the_same_message(world, client):
    wrong = client.login("sup", "not the password").get_data(as_text=True)
    unknown = client.login("nobody", "not the password").get_data(as_text=True)
    assert client.get("/admin/").status_code == 302
    marker = 'class="flash error"'
    assert marker in wrong and marker in unknown
    assert wrong.split(marker)[1][:120] == unknown.split(marker)[1][:120]


def test_user_name_is_case_insensitive(world, client):
    assert client.login("SUP", PASSWORD).status_code == 302


def test_copied_cookie_is_dead_after_logout(app, world, client):
    client.login("sup", PASSWORD)
    stolen = session_cookie(client, app)
    assert client.get("/admin/").status_code == 200
    client.post("/account/logout")

    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    response = thief.get("/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_clears_site_data_and_needs_a_post(world, login):
    client = login(world.supervisor)
    assert client.get("/account/logout").status_code == 405
    response = client.post("/account/logout")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_login_starts_a_new_session(app, world, client):
    client.get("/login")
    client.csrf_token()  # puts something in the pre-login session
    before = session_cookie(client, app)
    client.login("sup", PASSWORD)
    assert session_cookie(client, app) != before
    with client.session_transaction() as session:
        assert "csrf_token" not in session  # cleared at login


def test_only_a_hash_of_the_session_token_is_stored(app, world, client, db_session):
    client.login("sup", PASSWORD)
    with client.session_transaction() as session:
        token = session["_user_id"]
    stored = db_session.scalars(select(LoginSession.token_hash)).all()
    assert len(stored) == 1 and token not in stored and len(stored[0]) == 64


def test_deactivation_ends_sessions_at_once(app, world, login):
    victim = app.test_client()
    victim.login("editor-a", PASSWORD)
    assert victim.get("/agency/").status_code == 200
    admin = login(world.supervisor)
    admin.post(f"/admin/users/{world.editor_a.id}/active", data={"active": "0", "confirmed": "1"})
    assert victim.get("/agency/").status_code == 302
    assert victim.login("editor-a", PASSWORD).status_code == 200  # refused, form again


def test_cookie_flags_on_https(world, client):
    response = client.login("sup", PASSWORD)
    cookie = next(
        header
        for header in response.headers.getlist("Set-Cookie")
        if header.startswith("__Host-session=")
    )
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie


def test_failed_logins_are_rate_limited(app, world, client):
    for _ in range(3):
        assert client.login("sup", "wrong password").status_code == 200
    assert client.login("sup", "wrong password").status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(world, client):
    for _ in range(8):
        assert client.login("sup", PASSWORD).status_code == 302
        client.post("/account/logout")


def test_password_hashes_are_argon2id(world, db_session):
    hashes = db_session.scalars(select(User.password_hash)).all()
    assert hashes and all(value.startswith("$argon2id$") for value in hashes)


def test_password_policy():
    assert password_problem("short") is not None
    assert password_problem("password123") is not None  # common
    assert password_problem("12345678") is not None
    assert password_problem("x" * 129) is not None
    assert password_problem("correct horse battery") is None
    assert password_problem("我的密码是枣庄机关监管") is None  # CJK allowed
    assert password_problem("alice-in-wonder", username="alice-in-wonder") is not None


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, world, db_session):
    other_device = app.test_client()
    other_device.login("sup", PASSWORD)
    client = app.test_client()
    client.login("sup", PASSWORD)

    wrong = change(client, "not it", "a new long passphrase")
    assert wrong.status_code == 200 and 'class="errors"' in wrong.get_data(as_text=True)

    assert change(client, PASSWORD, "a new long passphrase").status_code == 302
    assert client.get("/admin/").status_code == 200  # this session lives on
    assert other_device.get("/admin/").status_code == 302  # the other one ended
    assert db_session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_must_change_password_blocks_the_portals_until_done(app, world, login):
    admin = login(world.supervisor)
    admin.post(
        f"/admin/users/{world.editor_b.id}/password", data={"password": "one time passphrase"}
    )
    client = app.test_client()
    response = client.login("editor-b", "one time passphrase")
    assert "/account/password" in response.headers["Location"]
    assert "/account/password" in client.get("/agency/").headers["Location"]
    change(client, "one time passphrase", "my own passphrase")
    assert client.get("/agency/").status_code == 200


def test_open_redirect_after_login_is_refused(world, client):
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"username": "sup", "password": PASSWORD},
        )
        assert response.headers["Location"].endswith("/admin/"), target
        client.post("/account/logout")


def test_login_keeps_the_page_asked_for(world, client):
    first = client.get("/admin/agencies/")
    assert "/login" in first.headers["Location"]
    response = client.post(
        first.headers["Location"], data={"username": "sup", "password": PASSWORD}
    )
    assert response.headers["Location"].endswith("/admin/agencies/")


def test_a_login_dies_after_its_lifetime_whatever_the_cookie_says(world, client, db_session):
    client.login("sup", PASSWORD)
    assert client.get("/admin/").status_code == 200
    login = db_session.scalar(select(LoginSession))
    login.created_at = login.created_at - dt.timedelta(hours=9)
    db_session.commit()
    assert client.get("/admin/").status_code == 302


def test_control_characters_in_the_user_name_are_not_a_server_error(world, client):
    response = client.login("sup\x00", PASSWORD)
    assert response.status_code == 302  # NUL dropped, as for every one-line field
    client.post("/account/logout")
    assert client.login("\x00", PASSWORD).status_code == 200
