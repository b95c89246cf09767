"""Findings of 越位 / 缺位 / 错位 against an agency."""

from __future__ import annotations

from sqlalchemy import select

from survey.audit.models import AuditEntry
from survey.verification.models import DutyFinding, FindingKind, Severity
from tests.verification.conftest import ENGLISH


def new_url(world) -> str:
    return f"/admin/verification/agency/{world.agency_a.id}/year/{world.year.id}/findings/new"


def test_a_duty_finding_is_recorded_and_shown(world, db_session, login):
    client = login(world.supervisor)
    assert client.get(new_url(world)).status_code == 200

    response = client.post(
        new_url(world),
        data={"kind": "absence", "severity": "serious", "description": "未履行行业监管职责"},
    )

    assert response.status_code == 302
    finding = db_session.scalars(select(DutyFinding)).one()
    assert (finding.kind, finding.severity) == (FindingKind.absence, Severity.serious)
    assert (finding.agency_id, finding.year_id) == (world.agency_a.id, world.year.id)
    assert finding.visit_id is None
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "duty_finding.record")
    ).one()
    assert entry.entity_id == finding.id and entry.after["kind"] == "absence"

    page = client.get(response.headers["Location"], headers=ENGLISH).get_data(as_text=True)
    assert "未履行行业监管职责" in page and "Absence (缺位)" in page


def test_a_finding_needs_a_kind_and_a_description(world, db_session, login):
    response = login(world.supervisor).post(
        new_url(world), data={"severity": "minor", "description": " "}, headers=ENGLISH
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose the kind of finding." in html and "Describe the finding." in html
    assert db_session.scalars(select(DutyFinding)).all() == []
