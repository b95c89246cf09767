"""Fixtures: one app and one migrated database per backend per run; each test runs inside a
transaction that is rolled back; the client keeps CSRF on and sends the token like a browser.

PostgreSQL runs when SURVEY_TEST_DATABASE_URL points at a server (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/postgres); a fresh database is created there
for the run and dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from survey import create_app, migrations
from survey.responses.public.integrity import reset_budgets
from tests.fixtures.client import CSRFClient

pytest_plugins = ["tests.fixtures.data"]

POSTGRES_URL = os.environ.get("SURVEY_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]


def pytest_report_header(config):
    if POSTGRES_URL:
        return f"databases: SQLite and PostgreSQL ({make_url(POSTGRES_URL).host})"
    return "databases: SQLite only; PostgreSQL tests skip (set SURVEY_TEST_DATABASE_URL)"


def _postgres_database():
    """Create an empty database for this run; yield its URL; drop it."""
    server = make_url(POSTGRES_URL)
    name = f"survey_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "survey.db"
        url = f"sqlite:///{path}"
        migrations.upgrade(url)
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need SURVEY_TEST_DATABASE_URL")
    for url in _postgres_database():
        migrations.upgrade(url)
        yield url


def app_settings(database_url: str, instance_path) -> dict:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "BASE_URL": "https://pj.example.gov.cn",
        "INSTANCE_PATH": str(instance_path),
        "PASSWORD_HASH_PROFILE": "cheapest",
        "TESTING": True,
    }


@pytest.fixture(scope="session")
def base_app(database_url, tmp_path_factory):
    app = create_app(app_settings(database_url, tmp_path_factory.mktemp("instance")))
    app.test_client_class = CSRFClient
    yield app
    app.extensions["survey.db"]["engine"].dispose()


@pytest.fixture
def app(base_app):
    """The app with its session bound to one outer transaction, rolled back after the test."""
    holder = base_app.extensions["survey.db"]
    connection = holder["engine"].connect()
    transaction = connection.begin()
    original = holder["session_factory"]
    holder["session_factory"] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    reset_budgets(base_app)
    try:
        yield base_app
    finally:
        holder["session_factory"] = original
        transaction.rollback()
        connection.close()


@pytest.fixture
def db_session(app):
    """A session on the test's connection, for arranging and checking records.

    It is not the request's session and no app context stays pushed (a pushed context
    would be reused by every request of the test, and with it ``g``). Wrap service calls
    that need the app in ``with app.app_context():``.
    """
    session = app.extensions["survey.db"]["session_factory"]()
    yield session
    session.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def backend(database_url) -> str:
    return make_url(database_url).get_backend_name()
