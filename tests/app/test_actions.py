"""``commit_or_report``: one transaction per write, and a clear message instead of a crash when
SQLite lets another write in first."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.exc import OperationalError

from survey import create_app, migrations
from survey.actions import commit_or_report
from survey.agencies.models import Jurisdiction
from survey.db import db
from tests.conftest import app_settings


def test_a_write_that_loses_the_race_on_sqlite_is_reported(tmp_path):
    url = f"sqlite:///{tmp_path / 'race.db'}"
    migrations.upgrade(url)
    app = create_app(app_settings(url, tmp_path))
    other = create_engine(url)
    try:
        with app.test_request_context():
            # This request reads first: its snapshot begins.
            assert db.session.scalar(select(func.count()).select_from(Jurisdiction)) == 0
            with other.begin() as connection:  # another request writes and commits
                connection.execute(insert(Jurisdiction.__table__).values(name="先到的市"))
            messages = []
            outcome = commit_or_report(
                messages.append,
                lambda: db.session.execute(insert(Jurisdiction.__table__).values(name="后到的市")),
            )
            assert not outcome
            assert messages == ["同一时刻有另一项保存正在写入，本次内容未保存：请重试。"]
            names = db.session.scalars(select(Jurisdiction.name)).all()
            assert names == ["先到的市"]
    finally:
        other.dispose()
        app.extensions["survey.db"]["engine"].dispose()


def test_other_database_errors_are_not_hidden(app):
    def broken():
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    with app.test_request_context(), pytest.raises(OperationalError):
        commit_or_report(lambda message: None, broken)
