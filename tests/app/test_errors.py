"""Error pages in the layout; an unexpected error rolls back and loses nothing saved."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import select

from survey.agencies.models import Jurisdiction


def test_404_page_is_in_the_layout(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "404" in html and 'class="top"' in html


def test_405_page(world, login):
    response = login(world.supervisor).get("/account/logout")
    assert response.status_code == 405


def test_oversized_upload_gets_the_413_page(world, login):
    client = login(world.supervisor)
    response = client.post(
        "/admin/agencies/import",
        # A raw body: the test client would spool a multipart file to an unclosed temp file.
        data=b"x" * (6 * 1024 * 1024),
        content_type="multipart/form-data; boundary=b",
        csrf=False,
    )
    assert response.status_code == 413
    assert "413" in response.get_data(as_text=True)


def test_unexpected_error_rolls_back_and_shows_500(tmp_path, database_url):
    from survey import create_app, portals
    from survey.db import db
    from tests.conftest import app_settings

    broken = Blueprint("broken", __name__)

    @broken.route("/boom")
    def boom():
        db.session.add(Jurisdiction(name="半途而废区"))
        db.session.flush()
        raise RuntimeError("boom")

    original = portals.register

    def register(app, blueprints):
        original(app, [*blueprints, ("public", broken)])

    portals.register = register
    try:
        # Exceptions reach the error handler as in production, not the test runner.
        app = create_app({**app_settings(database_url, tmp_path), "PROPAGATE_EXCEPTIONS": False})
    finally:
        portals.register = original
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "500" in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(Jurisdiction).where(Jurisdiction.name == "半途而废区")) is None
        )
    app.extensions["survey.db"]["engine"].dispose()
