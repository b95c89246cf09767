"""A computed run of the scores' test year (agency A rated, agency B without targets), and
the objection window set on the year."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.clock import beijing_today
from survey.scores import services
from tests.scores.conftest import AS_OF, build_year


def set_window(db_session, year, closes: dt.date | None) -> None:
    year.config = {**year.config, "objection_closes": closes.isoformat() if closes else None}
    db_session.commit()


@pytest.fixture
def run(db_session, world):
    build_year(db_session, world)
    computed = services.compute_run(db_session, world.supervisor, world.year, AS_OF, workers=1)
    db_session.commit()
    return computed


@pytest.fixture
def window(db_session, world):
    set_window(db_session, world.year, beijing_today() + dt.timedelta(days=10))
