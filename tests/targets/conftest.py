"""An open year, complete targets written through the services, and a frozen Beijing "today"
(2026-08-01) so deadlines, windows and "not in the future" do not depend on the real date."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from survey.agencies.models import Section
from survey.audit.labels import ACTION_LABELS, ENTITY_LABELS
from survey.audit.models import AuditEntry
from survey.targets import services
from survey.targets.models import Category, Duty, Oversight, SetState, TargetSet

TODAY = dt.date(2026, 8, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    instant = dt.datetime(2026, 8, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in Beijing
    monkeypatch.setattr("survey.clock.utcnow", lambda: instant)
    return TODAY


@pytest.fixture(autouse=True)
def every_action_is_named(db_session):
    """After each test: the audit screen has a name for every action and record it wrote."""
    yield
    db_session.expire_all()
    for action, entity in db_session.execute(select(AuditEntry.action, AuditEntry.entity_type)):
        assert action in ACTION_LABELS, action
        assert entity in ENTITY_LABELS, entity


@pytest.fixture
def open_year(world, db_session):
    world.year.open()
    db_session.commit()
    return world.year


def business_section(db_session, agency) -> Section:
    return db_session.scalar(
        select(Section).where(Section.agency_id == agency.id, Section.is_business.is_(True))
    )


def complete_values(db_session, agency, number: int, **changes) -> dict:
    values = {
        "title": f"重点任务{number}",
        "category": list(Category)[number % 5],
        "duty": Duty.service,
        "basis": "三定规定第三条",
        "standard": "全年办结率100%",
        "section_id": business_section(db_session, agency).id,
        "leader": "王副局长",
        "deadline": dt.date(2026, 6 + number % 6, 28),
        "expected_outcome": "群众满意度提升",
        "oversight": Oversight.key,
    }
    values.update(changes)
    return values


def make_set(app, db_session, world, agency=None, *, count=5, state=SetState.draft, **changes):
    """A set of ``count`` complete targets, taken to ``state`` the way users would."""
    agency = agency or world.agency_a
    with app.app_context():
        target_set = services.get_or_create_set(db_session, agency, world.year)
        for number in range(1, count + 1):
            services.save_target(
                db_session, None, target_set, complete_values(db_session, agency, number, **changes)
            )
        db_session.flush()
        db_session.refresh(target_set)
        if state is not SetState.draft:
            target_set.submit(world.leader_a)
        if state is SetState.approved:
            target_set.approve(world.supervisor, "")
        if state is SetState.returned:
            target_set.return_for_revision(world.supervisor, "请细化量化标准")
        db_session.commit()
    return target_set


def fresh_set(db_session, target_set) -> TargetSet:
    db_session.expire_all()
    return db_session.get(TargetSet, target_set.id)


def upload(name: str, data: bytes) -> FileStorage:
    return FileStorage(io.BytesIO(data), name)


def post_files(client, url: str, fields: dict, files: list[FileStorage], field="files"):
    """A multipart POST encoded here, in memory: the test client would spool a large body to a
    temporary file it never closes (a ResourceWarning, an error under filterwarnings)."""
    data = MultiDict({"csrf_token": client.csrf_token(), **fields})
    for storage in files:
        data.add(field, storage)
    boundary, body = encode_multipart(data)
    return client.post(
        url,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Referer": "https://localhost/"},
        csrf=False,  # the token is in the body already
    )
