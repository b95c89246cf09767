"""Every move of a rectification item through both portals, the refusals, and the audit."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import select

from survey.audit.models import AuditEntry
from survey.errors import DomainError
from survey.evidence.models import EvidenceFile, EvidenceOwner
from survey.followup.models import EventKind, ItemState, RectificationEvent
from tests.followup.conftest import ENGLISH, TODAY
from tests.scores.conftest import scored_run

ADMIN = "/admin/followup/items/{id}/{move}"
AGENCY = "/agency/followup/{id}/{move}"


def post(client, url, **data):
    return client.post(url, data=data, headers=ENGLISH, follow_redirects=True)


def state_of(db_session, item) -> ItemState:
    db_session.expire_all()
    return db_session.get(type(item), item.id).state


def test_issuing_counts_working_days_on_the_calendar(issue):
    item = issue()
    assert item.due_on == dt.date(2026, 11, 30)
    assert item.state is ItemState.issued
    assert [event.kind for event in item.events] == [EventKind.issue]


def test_a_date_on_a_rest_day_runs_to_the_next_working_day(issue):
    item = issue(working_days=None, due_on=dt.date(2026, 10, 3))
    assert item.due_on == dt.date(2026, 10, 8)


def test_the_whole_walk_from_issue_to_review(world, issue, login, db_session, tmp_path):
    item = issue()
    agency = login(world.editor_a)
    post(agency, AGENCY.format(id=item.id, move="acknowledge"))
    assert state_of(db_session, item) is ItemState.acknowledged
    post(agency, AGENCY.format(id=item.id, move="progress"), text="已梳理事项清单")
    assert state_of(db_session, item) is ItemState.in_progress
    response = agency.post(
        AGENCY.format(id=item.id, move="submit"),
        data={"text": "已在门户网站公开", "files": (io.BytesIO(b"%PDF-1.4 proof"), "proof.pdf")},
        content_type="multipart/form-data",
        headers=ENGLISH,
    )
    assert response.status_code == 302
    assert state_of(db_session, item) is ItemState.submitted
    submission = db_session.scalar(
        select(RectificationEvent).where(
            RectificationEvent.item_id == item.id, RectificationEvent.kind == EventKind.submit
        )
    )
    evidence = db_session.scalar(
        select(EvidenceFile).where(EvidenceFile.owner_type == EvidenceOwner.rectification)
    )
    assert evidence.owner_id == submission.id and evidence.filename == "proof.pdf"
    html = agency.get(f"/agency/followup/{item.id}").get_data(as_text=True)
    assert "proof.pdf" in html

    office = login(world.supervisor)
    post(office, ADMIN.format(id=item.id, move="return"), text="缺少公开截图")
    assert state_of(db_session, item) is ItemState.returned
    agency = login(world.leader_a)
    post(agency, AGENCY.format(id=item.id, move="submit"), text="补充截图")
    office = login(world.supervisor)
    post(office, ADMIN.format(id=item.id, move="verify"))
    assert state_of(db_session, item) is ItemState.verified
    post(office, ADMIN.format(id=item.id, move="close"), review_after="60")
    db_session.expire_all()
    closed = db_session.get(type(item), item.id)
    assert closed.state is ItemState.closed
    assert closed.review_due_on == TODAY + dt.timedelta(days=60)
    post(office, ADMIN.format(id=item.id, move="review_held"), text="未反弹")
    assert state_of(db_session, item) is ItemState.reviewed

    kinds = [
        entry.action
        for entry in db_session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "rectification_items", AuditEntry.entity_id == item.id)
            .order_by(AuditEntry.id)
        )
    ]
    assert kinds == [
        "rectification.issue",
        "rectification.acknowledge",
        "rectification.progress",
        "rectification.submit",
        "rectification.return",
        "rectification.submit",
        "rectification.verify",
        "rectification.close",
        "rectification.review_held",
    ]


def test_a_review_can_reopen_a_recurrence(world, issue, login, db_session):
    item = issue()
    for move, who in [("acknowledge", world.editor_a), ("submit", world.editor_a)]:
        post(login(who), AGENCY.format(id=item.id, move=move), text="措施")
    office = login(world.supervisor)
    post(office, ADMIN.format(id=item.id, move="verify"))
    post(office, ADMIN.format(id=item.id, move="close"), review_after="30")
    post(office, ADMIN.format(id=item.id, move="review_recurred"), text="问题反弹")
    assert state_of(db_session, item) is ItemState.reopened
    # rectified again in 60 working days from the review
    assert db_session.get(type(item), item.id).due_on == dt.date(2026, 11, 30)
    post(login(world.editor_a), AGENCY.format(id=item.id, move="progress"), text="重新整改")
    assert state_of(db_session, item) is ItemState.in_progress


@pytest.mark.parametrize(
    ("move", "portal", "message"),
    [
        ("verify", ADMIN, "cannot be done to an item that is Issued to the agency"),
        ("close", ADMIN, "cannot be done to an item that is Issued to the agency"),
        ("review_held", ADMIN, "cannot be done to an item that is Issued to the agency"),
        ("submit", AGENCY, "cannot be done to an item that is Issued to the agency"),
        ("progress", AGENCY, "cannot be done to an item that is Issued to the agency"),
    ],
)
def test_moves_out_of_order_are_refused(world, issue, login, db_session, move, portal, message):
    item = issue()
    who = world.supervisor if portal is ADMIN else world.editor_a
    html = post(login(who), portal.format(id=item.id, move=move), text="x").get_data(as_text=True)
    assert message in html
    assert state_of(db_session, item) is ItemState.issued
    assert len(db_session.get(type(item), item.id).events) == 1


@pytest.mark.parametrize(
    ("setup", "move", "data", "message"),
    [
        ([], "cancel", {}, "Give the reason."),
        (["acknowledge", "submit"], "return", {}, "Give the reason."),
        (["acknowledge", "submit", "verify"], "close", {"review_after": "45"}, "30, 60 or 90"),
    ],
)
def test_office_moves_need_their_reason(
    world, issue, login, db_session, setup, move, data, message
):
    item = issue()
    for step in setup:
        who, portal = (world.supervisor, ADMIN) if step == "verify" else (world.editor_a, AGENCY)
        post(login(who), portal.format(id=item.id, move=step), text="措施")
    before = state_of(db_session, item)
    html = post(login(world.supervisor), ADMIN.format(id=item.id, move=move), **data)
    assert message in html.get_data(as_text=True)
    assert state_of(db_session, item) is before


def test_agency_moves_need_their_text(world, issue, login, db_session):
    item = issue()
    client = login(world.editor_a)
    post(client, AGENCY.format(id=item.id, move="acknowledge"))
    html = post(client, AGENCY.format(id=item.id, move="submit"), text=" ").get_data(as_text=True)
    assert "Describe the measures taken." in html
    assert state_of(db_session, item) is ItemState.acknowledged


def test_cancelling_keeps_the_item(world, issue, login, db_session):
    item = issue()
    post(login(world.supervisor), ADMIN.format(id=item.id, move="cancel"), text="重复下发")
    assert state_of(db_session, item) is ItemState.cancelled
    assert login(world.supervisor).get(f"/admin/followup/items/{item.id}").status_code == 200


def test_deadline_before_issue_is_refused(world, login, db_session):
    response = login(world.supervisor).post(
        f"/admin/followup/agency/{world.agency_a.id}/new",
        data={
            "source_kind": "manual",
            "title": "t",
            "requirement": "r",
            "due_on": "2026-08-01",
            "section_id": "0",
        },
        headers=ENGLISH,
    )
    assert "The deadline must be after the issue date." in response.get_data(as_text=True)
    assert db_session.scalar(select(RectificationEvent)) is None


def test_issuing_through_the_form(world, login, db_session):
    section = world.agency_a.live_sections[0]
    response = login(world.supervisor).post(
        f"/admin/followup/agency/{world.agency_a.id}/new",
        data={
            "source_kind": "manual",
            "title": "规范收费",
            "requirement": "清理收费项目",
            "working_days": "60",
            "section_id": str(section.id),
            "responsible_leader": "王副局长",
        },
        headers=ENGLISH,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    html = login(world.editor_a).get("/agency/followup/", headers=ENGLISH).get_data(as_text=True)
    assert "规范收费" in html and "2026-11-30" in html


@pytest.mark.parametrize(
    ("kind", "source", "message"),
    [
        ("on_site_finding", None, "Give the number of the record"),
        ("on_site_finding", 999999, "No duty finding with that number"),
        ("overdue_target", 999999, "No target with that number"),
        ("special_supervision", 999999, "No special-supervision case"),
    ],
)
def test_a_wrong_source_is_refused(world, login, kind, source, message):
    data = {
        "source_kind": kind,
        "title": "t",
        "requirement": "r",
        "working_days": "10",
        "section_id": "0",
    }
    if source:
        data["source_id"] = str(source)
    response = login(world.supervisor).post(
        f"/admin/followup/agency/{world.agency_a.id}/new", data=data, headers=ENGLISH
    )
    assert message in response.get_data(as_text=True)


def test_a_scoring_run_is_named_by_its_number(issue, db_session, world):
    run, _ = scored_run(db_session, world)
    item = issue(source_kind="scoring_run", source_id=run.id)
    assert (item.source_kind.value, item.source_id) == ("scoring_run", run.id)
    with pytest.raises(DomainError, match="scoring run"):
        issue(source_kind="scoring_run", source_id=run.id + 1000)
    with pytest.raises(DomainError, match="scoring run"):
        issue(agency=world.agency_c, source_kind="scoring_run", source_id=run.id)
