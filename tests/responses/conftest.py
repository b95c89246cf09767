"""Fixtures shared by the respondents' and the staff's tests of responses."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from survey import create_app, migrations
from tests.conftest import _postgres_database, app_settings
from tests.fixtures.client import CSRFClient
from tests.fixtures.data import make_world


@pytest.fixture
def committed(database_url, tmp_path):
    """An app on a database of its own, whose writes really commit."""
    if make_url(database_url).get_backend_name() == "sqlite":
        urls = iter([f"sqlite:///{tmp_path / 'race.db'}"])
    else:
        urls = _postgres_database()
    url = next(urls)
    migrations.upgrade(url)
    app = create_app(app_settings(url, tmp_path))
    app.test_client_class = CSRFClient
    session = app.extensions["survey.db"]["session_factory"]()
    with app.app_context():
        world = make_world(session)
        session.commit()
    yield app, session, world
    session.close()
    app.extensions["survey.db"]["engine"].dispose()
    for _ in urls:  # drop the PostgreSQL database
        pass
