"""The database keeps follow-up records as they were written."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from survey.followup.models import RectificationEvent


def refused(db_session, statement) -> bool:
    try:
        with db_session.begin_nested():
            db_session.execute(statement)
    except DBAPIError as error:
        return "never changed or deleted" in str(error.orig)
    return False


@pytest.mark.parametrize(
    "statement",
    [update(RectificationEvent).values(text="篡改"), delete(RectificationEvent)],
)
def test_events_are_never_changed_or_deleted(issue, db_session, statement):
    issue()
    assert refused(db_session, statement)
