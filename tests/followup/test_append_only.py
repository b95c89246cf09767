"""The database keeps follow-up records as they were written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from survey.followup.escalation import Escalation, LinkageNotice
from survey.followup.models import RectificationEvent
from survey.followup.special import CaseFinding
from tests.followup.records import make_followup_records


def refused(db_session, statement) -> bool:
    try:
        with db_session.begin_nested():
            db_session.execute(statement)
    except DBAPIError as error:
        return "never changed or deleted" in str(error.orig)
    return False


@pytest.fixture
def records(world, issue, db_session):
    issue()
    ids = make_followup_records(db_session, world)
    common = {"recorded_by_id": world.supervisor.id}
    db_session.add_all(
        [
            CaseFinding(case_id=ids["case_id"], agency_id=world.agency_a.id, text="问题", **common),
            Escalation(
                agency_id=world.agency_a.id,
                kind="admonition",
                held_on=dt.date(2026, 8, 3),
                people="p",
                reason="r",
                approved_by="a",
                approved_on=dt.date(2026, 8, 1),
                document_number="d",
                **common,
            ),
            LinkageNotice(
                jurisdiction_id=world.city.id,
                kind="notification",
                recipient="audit",
                sent_on=dt.date(2026, 8, 3),
                title="t",
                content="c",
                **common,
            ),
        ]
    )
    db_session.commit()


@pytest.mark.parametrize(
    "statement",
    [
        update(RectificationEvent).values(text="篡改"),
        delete(RectificationEvent),
        update(CaseFinding).values(text="篡改"),
        delete(CaseFinding),
        update(Escalation).values(document_number="篡改"),
        delete(Escalation),
        update(LinkageNotice).values(content="篡改"),
        delete(LinkageNotice),
    ],
)
def test_records_are_never_changed_or_deleted(records, db_session, statement):
    assert refused(db_session, statement)
