"""Records for the access matrix (tests/app/test_access.py): a city agency A's stored sheet."""

from __future__ import annotations

import datetime as dt

from survey.reports import services


def make_reports_records(app, db_session, world, run) -> dict:
    with app.test_request_context():
        builds = services.build_feedback(
            db_session, world.supervisor, run, dt.date(2026, 12, 1), agency_id=world.agency_a.id
        )
        db_session.commit()
    return {"build_id": builds.sheets[0].id}
