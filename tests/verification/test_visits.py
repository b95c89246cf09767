"""Recording an on-site visit with its findings per target."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from survey.audit.models import AuditEntry
from survey.errors import DomainError
from survey.verification import services
from survey.verification.models import Visit, VisitFinding
from survey.years.models import YearState
from tests.verification.conftest import ENGLISH


def url(world, action="new_visit", agency=None):
    agency = agency or world.agency_a
    path = f"/admin/verification/agency/{agency.id}/year/{world.year.id}"
    return path if action == "agency" else f"{path}/visits/new"


def visit_data(targets, **changes) -> dict:
    data = {
        "visited_on": "2026-05-12",
        "people": "市编办 张三、李四；甲局 王五",
        "methods": ["briefing", "documents"],
        "summary": "听取汇报并查阅台账。",
        f"finding-{targets.first.id}": "台账完整，进度属实。",
        f"finding-{targets.second.id}": "  ",
    }
    data.update(changes)
    return data


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_visit_is_recorded_with_its_findings_and_audited(world, targets, db_session, login):
    client = login(world.supervisor)
    assert client.get(url(world)).status_code == 200

    response = client.post(url(world), data=visit_data(targets))

    assert response.status_code == 302
    visit = db_session.scalars(select(Visit)).one()
    assert visit.visited_on == dt.date(2026, 5, 12)
    assert visit.methods == ["briefing", "documents"]
    assert visit.recorded_by_id == world.supervisor.id
    assert [(f.target_id, f.text) for f in visit.findings] == [
        (targets.first.id, "台账完整，进度属实。")
    ]  # the blank finding of the second target is no finding
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "visit.record")).one()
    assert (entry.entity_type, entry.entity_id) == ("verification_visits", visit.id)
    assert entry.actor_id == world.supervisor.id
    assert entry.jurisdiction_id == world.city.id
    assert entry.after["findings"] == [
        {"target_id": targets.first.id, "text": "台账完整，进度属实。"}
    ]

    page = client.get(url(world, "agency")).get_data(as_text=True)
    assert "台账完整，进度属实。" in page and "2026-05-12" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"methods": []}, "Choose at least one verification method."),
        ({"visited_on": "2025-12-31"}, "The visit date must fall within 2026."),
        ({"visited_on": "2026-07-01"}, "The visit date cannot be in the future."),
        ({"people": "   "}, "Name the people who took part in the visit."),
        ("other", "Findings can only be recorded for this agency&#39;s current targets."),
        ("withdrawn", "Findings can only be recorded for this agency&#39;s current targets."),
    ],
    ids=["no-method", "outside-the-year", "future", "no-people", "other-agency", "withdrawn"],
)
def test_bad_visits_are_refused_and_nothing_is_saved(
    world, targets, db_session, login, changes, message
):
    if isinstance(changes, str):  # a finding for a target that is not one of the agency's
        changes = {f"finding-{getattr(targets, changes).id}": "越权记录"}
    response = login(world.supervisor).post(
        url(world), data=visit_data(targets, **changes), headers=ENGLISH
    )

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(db_session, Visit) == 0
    assert count(db_session, VisitFinding) == 0
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "visit.record")) is None


def test_a_closed_year_takes_no_visit(app, world, targets, db_session):
    world.year.state = YearState.closed
    world.year.opened_at = world.year.closed_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    db_session.flush()
    with app.test_request_context(headers=ENGLISH), pytest.raises(DomainError, match="closed"):
        services.record_visit(
            db_session,
            world.supervisor,
            world.agency_a,
            world.year,
            visited_on=dt.date(2026, 5, 12),
            people="张三",
            methods=["forum"],
        )
    assert count(db_session, Visit) == 0


def test_unknown_methods_are_refused(app, world, targets, db_session):
    with app.test_request_context(headers=ENGLISH), pytest.raises(DomainError, match="Unknown"):
        services.record_visit(
            db_session,
            world.supervisor,
            world.agency_a,
            world.year,
            visited_on=dt.date(2026, 5, 12),
            people="张三",
            methods=["guessing"],
        )
