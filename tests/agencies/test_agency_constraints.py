"""The database refuses duplicate live names and blank names, whatever the code does."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, text, update
from sqlalchemy.exc import IntegrityError

from survey.agencies.models import Agency, AgencyKind, Jurisdiction, Section

NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def refused(db_session, statement) -> bool:
    try:
        with db_session.begin_nested():
            db_session.execute(statement)
    except IntegrityError:
        return True
    return False


def agency_row(world, name, jurisdiction=None, deleted=False):
    return insert(Agency).values(
        jurisdiction_id=(jurisdiction or world.city).id,
        name=name,
        short_name="",
        kind=AgencyKind.other,
        created_at=NOW,
        deleted_at=NOW if deleted else None,
    )


def test_two_live_agencies_cannot_share_a_name_in_a_jurisdiction(world, db_session):
    assert refused(db_session, agency_row(world, "测试市甲局"))
    assert not refused(db_session, agency_row(world, "测试市甲局", world.district))
    assert not refused(db_session, agency_row(world, "测试市甲局", deleted=True))


def test_restoring_into_a_taken_name_is_refused(world, db_session):
    db_session.execute(update(Agency).where(Agency.id == world.agency_b.id).values(deleted_at=NOW))
    assert not refused(db_session, agency_row(world, "测试市乙局"))
    restore = update(Agency).where(Agency.id == world.agency_b.id).values(deleted_at=None)
    assert refused(db_session, restore)


@pytest.mark.parametrize("name", ["", "   "])
def test_blank_names_are_refused(world, db_session, name):
    assert refused(db_session, agency_row(world, name))
    section = insert(Section).values(
        agency_id=world.agency_a.id, name=name, is_business=False, created_at=NOW
    )
    assert refused(db_session, section)


def test_two_live_sections_cannot_share_a_name_in_an_agency(world, db_session):
    def section(name, agency, deleted=False):
        return insert(Section).values(
            agency_id=agency.id,
            name=name,
            is_business=False,
            created_at=NOW,
            deleted_at=NOW if deleted else None,
        )

    assert refused(db_session, section("办公室", world.agency_a))
    assert not refused(db_session, section("办公室", world.agency_a, deleted=True))
    assert not refused(db_session, section("新科", world.agency_a))


def test_sibling_jurisdictions_cannot_share_a_name(world, db_session):
    def child(name, parent):
        return insert(Jurisdiction).values(name=name, parent_id=parent.id, created_at=NOW)

    assert refused(db_session, child("测试区", world.city))
    assert not refused(db_session, child("测试区", world.district))


def test_an_unknown_kind_is_refused(world, db_session):
    statement = text("UPDATE agencies SET kind = 'alien' WHERE id = :id").bindparams(
        id=world.agency_a.id
    )
    assert refused(db_session, statement)
