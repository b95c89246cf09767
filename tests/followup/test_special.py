"""Special supervision: 60 working days on the calendar, findings, items, conclusion."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from survey.audit.models import AuditEntry
from survey.followup.models import RectificationItem
from survey.followup.special import CaseState, SpecialCase
from tests.followup.conftest import ENGLISH


def open_case(client, world, **data):
    return client.post(
        "/admin/special/new",
        data={
            "matter": "窗口服务专项",
            "origin": "instruction",
            "procedure": "一事一办",
            "start_on": "2026-09-01",
            "agency_ids": [str(world.agency_a.id)],
            **data,
        },
        headers=ENGLISH,
    )


def test_a_case_is_due_60_working_days_after_its_start(world, login, db_session, today):
    client = login(world.supervisor)
    response = open_case(client, world)
    assert response.status_code == 302, response.get_data(as_text=True)
    case = db_session.scalar(select(SpecialCase))
    assert case.due_on == dt.date(2026, 11, 30)
    html = client.get(f"/admin/special/{case.id}", headers=ENGLISH).get_data(as_text=True)
    assert "2026-11-30" in html and "60 working days left" in html
    today["today"] = dt.date(2026, 12, 1)
    listing = client.get("/admin/special/", headers=ENGLISH).get_data(as_text=True)
    assert "Overdue" in listing
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "special.open"))


def test_findings_become_items_and_the_case_concludes(world, login, db_session):
    client = login(world.supervisor)
    open_case(client, world)
    case = db_session.scalar(select(SpecialCase))
    client.post(
        f"/admin/special/{case.id}/findings",
        data={"agency_id": str(world.agency_a.id), "text": "窗口一次性告知不到位"},
    )
    response = client.post(
        f"/admin/followup/agency/{world.agency_a.id}/new",
        data={
            "source_kind": "special_supervision",
            "source_id": str(case.id),
            "title": "一次性告知",
            "requirement": "落实一次性告知制度",
            "working_days": "20",
            "section_id": "0",
        },
    )
    assert response.status_code == 302
    item = db_session.scalar(select(RectificationItem))
    assert item.case_id == case.id
    html = client.get(f"/admin/special/{case.id}").get_data(as_text=True)
    assert "窗口一次性告知不到位" in html and "一次性告知" in html
    client.post(f"/admin/special/{case.id}/conclude", data={"conclusion": "已完成专项监管"})
    db_session.expire_all()
    assert db_session.get(SpecialCase, case.id).state is CaseState.concluded
    late = client.post(
        f"/admin/special/{case.id}/findings",
        data={"agency_id": str(world.agency_a.id), "text": "又一条"},
        headers=ENGLISH,
        follow_redirects=True,
    )
    assert "The case is concluded" in late.get_data(as_text=True)


def test_a_case_needs_an_agency(world, login, db_session):
    response = open_case(login(world.supervisor), world, agency_ids=[])
    assert "Choose at least one agency concerned." in response.get_data(as_text=True)
    assert db_session.scalar(select(SpecialCase)) is None


def test_an_item_cannot_cite_a_case_of_other_agencies(world, login, db_session):
    client = login(world.supervisor)
    open_case(client, world)
    case = db_session.scalar(select(SpecialCase))
    response = client.post(
        f"/admin/followup/agency/{world.agency_b.id}/new",
        data={
            "source_kind": "special_supervision",
            "source_id": str(case.id),
            "title": "t",
            "requirement": "r",
            "working_days": "20",
            "section_id": "0",
        },
        headers=ENGLISH,
    )
    assert "No special-supervision case with that number" in response.get_data(as_text=True)


def test_other_offices_and_viewers(world, login, db_session):
    open_case(login(world.supervisor), world)
    case = db_session.scalar(select(SpecialCase))
    assert login(world.district_supervisor).get(f"/admin/special/{case.id}").status_code == 404
    viewer = login(world.viewer)
    assert viewer.get(f"/admin/special/{case.id}").status_code == 200
    assert viewer.post(f"/admin/special/{case.id}/conclude", data={}).status_code == 403
