"""约谈 / 通报批评 with their approval, and linkage notices with their export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey.audit.models import AuditEntry
from survey.followup.escalation import Escalation, LinkageNotice
from tests.followup.conftest import ENGLISH

GOOD = {
    "kind": "admonition",
    "held_on": "2026-08-28",
    "people": "市编办王主任；甲局李局长",
    "reason": "整改逾期且未说明理由",
    "approved_by": "市机构编制委员会",
    "approved_on": "2026-08-25",
    "document_number": "测编委〔2026〕5号",
}


def record(client, world, item_ids=(), **changes):
    return client.post(
        f"/admin/escalations/agency/{world.agency_a.id}/new",
        data={**GOOD, "item_ids": [str(i) for i in item_ids], **changes},
        headers=ENGLISH,
    )


def test_an_admonition_is_recorded_with_its_approval_and_items(world, issue, login, db_session):
    item = issue()
    client = login(world.supervisor)
    response = record(client, world, item_ids=[item.id])
    assert response.status_code == 302, response.get_data(as_text=True)
    escalation = db_session.scalar(select(Escalation))
    assert (escalation.document_number, [i.id for i in escalation.items]) == (
        "测编委〔2026〕5号",
        [item.id],
    )
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "escalation.record"))
    assert entry.after["approved_by"] == "市机构编制委员会"
    html = login(world.viewer).get("/admin/escalations/").get_data(as_text=True)
    assert "测编委〔2026〕5号" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"approved_on": "2026-08-29"}, "approval must be given before"),
        ({"held_on": "2026-09-30"}, "cannot be dated in the future"),
        ({"document_number": ""}, "This field is required"),
        ({"kind": "fine"}, "Not a valid choice"),
    ],
)
def test_bad_escalations_are_refused(world, login, db_session, changes, message):
    response = record(login(world.supervisor), world, **changes)
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(select(Escalation)) is None


def test_an_escalation_cannot_cite_another_agencys_item(app, world, issue, db_session):
    from survey.errors import DomainError
    from survey.followup import escalation_services

    other = issue(agency=world.agency_b)
    with app.test_request_context(headers=ENGLISH), pytest.raises(DomainError):
        escalation_services.record_escalation(
            db_session,
            world.supervisor,
            world.agency_a,
            kind="admonition",
            held_on=dt.date(2026, 8, 28),
            people="p",
            reason="r",
            approved_by="a",
            approved_on=dt.date(2026, 8, 20),
            document_number="d",
            item_ids=[other.id],
        )


def notice(client, **changes):
    return client.post(
        "/admin/linkage/new",
        data={
            "kind": "notification",
            "recipient": "discipline",
            "sent_on": "2026-08-31",
            "title": "情况通报",
            "content": "甲局整改逾期",
            "attachments": "整改台账",
            "agency_id": "0",
            **changes,
        },
        headers=ENGLISH,
    )


def test_notices_are_recorded_listed_and_exported(world, issue, login, db_session):
    item = issue()
    client = login(world.supervisor)
    assert (
        notice(client, item_ids=[str(item.id)], agency_id=str(world.agency_a.id)).status_code == 302
    )
    assert (
        notice(client, kind="clue_referral", recipient="audit", title="线索移送单").status_code
        == 302
    )
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "linkage.record"))
    html = client.get("/admin/linkage/").get_data(as_text=True)
    assert "情况通报" in html and "线索移送单" in html
    sheet = load_workbook(io.BytesIO(client.get("/admin/linkage/export.xlsx").data)).active
    titles = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == ["情况通报", "线索移送单"]


def test_clue_referrals_are_for_supervisors_only(world, login, db_session):
    client = login(world.supervisor)
    notice(client, kind="clue_referral", title="线索移送单")
    notice(client, title="情况通报")
    viewer = login(world.viewer)
    html = viewer.get("/admin/linkage/").get_data(as_text=True)
    assert "情况通报" in html and "线索移送单" not in html
    sheet = load_workbook(io.BytesIO(viewer.get("/admin/linkage/export.xlsx").data)).active
    assert [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["情况通报"]
    assert (
        login(world.district_supervisor)
        .get("/admin/linkage/")
        .get_data(as_text=True)
        .count("线索移送单")
        == 0
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"content": ""}, "This field is required"),
        ({"recipient": "police"}, "Not a valid choice"),
        ({"sent_on": "2026-12-31"}, "cannot be dated in the future"),
    ],
)
def test_bad_notices_are_refused(world, login, db_session, changes, message):
    assert message in notice(login(world.supervisor), **changes).get_data(as_text=True)
    assert db_session.scalar(select(LinkageNotice)) is None
