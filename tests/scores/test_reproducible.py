"""Same inputs and configuration → the same results, bit for bit: on SQLite and PostgreSQL
from the same data, and again from a dump of the SQLite database restored into a fresh one."""

from __future__ import annotations

import sqlite3

import pytest

import tests.responses.public.conftest as questionnaire_fixtures
from survey import create_app, migrations
from survey.db import db
from survey.scores import services
from tests.conftest import POSTGRES_URL, _postgres_database, app_settings
from tests.fixtures.data import make_world
from tests.scores.conftest import AS_OF, build_year


def _run_on(url: str, instance, *, fill: bool = True) -> tuple[str, str]:
    app = create_app(app_settings(url, instance))
    with app.app_context():
        if fill:
            world = make_world(db.session)
            build_year(db.session, world)
        from survey.years.models import AssessmentYear

        year = db.session.query(AssessmentYear).one()
        run = services.compute_run(db.session, None, year, AS_OF, workers=1)
        db.session.commit()
        checksums = run.input_checksum, run.result_checksum
        db.session.close()
    app.extensions["survey.db"]["engine"].dispose()
    return checksums


def test_sqlite_postgresql_and_a_restored_dump_agree(tmp_path, monkeypatch):
    # The fixtures' questionnaires take a random slug suffix; here both databases get one.
    monkeypatch.setattr(questionnaire_fixtures.secrets, "token_hex", lambda n: "5" * (2 * n))
    first = tmp_path / "first.db"
    migrations.upgrade(f"sqlite:///{first}")
    on_sqlite = _run_on(f"sqlite:///{first}", tmp_path / "i1")

    # A dump restored into a fresh file: the append-only triggers come back with it.
    restored = tmp_path / "restored.db"
    with sqlite3.connect(first) as source, sqlite3.connect(restored) as target:
        target.executescript("\n".join(source.iterdump()))
    again = _run_on(f"sqlite:///{restored}", tmp_path / "i2", fill=False)
    assert again == on_sqlite

    if not POSTGRES_URL:
        pytest.skip("PostgreSQL half needs SURVEY_TEST_DATABASE_URL")
    for url in _postgres_database():
        migrations.upgrade(url)
        assert _run_on(url, tmp_path / "i3") == on_sqlite
