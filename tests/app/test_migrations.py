"""Alembic is the only source of the schema: the models agree with it, and it goes down and
up again on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DatabaseError

from survey import migrations
from survey.models import Base


def test_models_match_the_migrations(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_and_upgrade_again(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    migrations.upgrade(url)
    migrations.downgrade(url)
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(url)
    assert "agencies" in inspect(engine).get_table_names()
    engine.dispose()


def test_sqlite_enforces_foreign_keys(app, db_session, backend):
    if backend != "sqlite":
        pytest.skip("SQLite only: PostgreSQL always enforces them")
    insert = text(
        "INSERT INTO sections (agency_id, name, is_business, created_at) "
        "VALUES (999999, 'x', false, '2026-01-01')"
    )
    with pytest.raises(DatabaseError):
        db_session.execute(insert)


def test_the_migrations_have_one_head():
    from alembic.script import ScriptDirectory

    from survey import migrations

    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://"))
    assert script.get_heads() == ["20261202_50"]
