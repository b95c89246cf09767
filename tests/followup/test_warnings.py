"""Three colours, reminders, extensions, filters and the export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey.audit.models import AuditEntry
from survey.followup.models import (
    EventKind,
    ExtensionRequest,
    ExtensionState,
    ItemState,
    RectificationItem,
)
from survey.followup.warnings import Colour, warning_of
from survey.workdays.queries import calendar_for
from tests.followup.conftest import ENGLISH
from tests.scores.conftest import scored_run

D = dt.date


@pytest.fixture
def calendar(db_session):
    return calendar_for(db_session, range(2025, 2029))


ISSUED, DUE = D(2026, 9, 1), D(2026, 11, 30)


def item(state=ItemState.issued, due=DUE):
    return RectificationItem(state=state, issued_on=ISSUED, due_on=due)


@pytest.mark.parametrize(
    ("state", "today", "colour", "left"),
    [
        (ItemState.issued, D(2026, 9, 2), None, 59),
        # not acknowledged within 3 working days of issue: behind plan
        (ItemState.issued, D(2026, 9, 7), Colour.yellow, 56),
        (ItemState.acknowledged, D(2026, 9, 7), None, 56),
        # no progress by the middle of the period
        (ItemState.acknowledged, D(2026, 10, 20), Colour.yellow, 29),
        (ItemState.in_progress, D(2026, 10, 20), None, 29),
        (ItemState.returned, D(2026, 9, 7), Colour.yellow, 56),
        # five working days or fewer left
        (ItemState.in_progress, D(2026, 11, 23), Colour.blue, 5),
        (ItemState.in_progress, D(2026, 11, 30), Colour.blue, 0),
        (ItemState.in_progress, D(2026, 12, 1), Colour.red, -1),
        # the clock stops once measures are submitted
        (ItemState.submitted, D(2026, 12, 1), None, None),
        (ItemState.closed, D(2026, 12, 1), None, None),
    ],
)
def test_three_colours(calendar, state, today, colour, left):
    warning = warning_of(item(state), today, calendar)
    assert (warning.colour, warning.days_left) == (colour, left)


def test_a_deadline_beyond_the_calendar_is_marked_not_guessed(calendar):
    warning = warning_of(item(due=D(2029, 3, 1)), D(2026, 9, 2), calendar)
    assert warning.unknown and warning.colour is None


def test_a_deadline_in_the_provisional_year_says_so(calendar):
    warning = warning_of(item(due=D(2027, 3, 1)), D(2026, 12, 1), calendar)
    assert warning.provisional


def test_both_home_pages_show_the_colours(world, issue, login, today):
    issue(title="逾期事项")
    today["today"] = D(2026, 12, 2)
    admin = login(world.supervisor).get("/admin/", headers=ENGLISH).get_data(as_text=True)
    assert "Red: overdue: 1" in admin and "逾期事项" in admin
    agency = login(world.editor_a).get("/agency/", headers=ENGLISH).get_data(as_text=True)
    assert "Red: overdue: 1" in agency and "逾期事项" in agency
    other = login(world.editor_b).get("/agency/", headers=ENGLISH).get_data(as_text=True)
    assert "Red: overdue: 0" in other and "逾期事项" not in other


def test_reminders_are_recorded_with_time_and_sender(world, issue, login, db_session):
    target = issue()
    client = login(world.supervisor)
    client.post(f"/admin/followup/items/{target.id}/remind", data={"text": "请抓紧"})
    db_session.expire_all()
    events = [
        e for e in db_session.get(RectificationItem, target.id).events if e.kind is EventKind.remind
    ]
    assert [(e.actor_id, e.text) for e in events] == [(world.supervisor.id, "请抓紧")]
    assert events[0].at is not None
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "rectification.remind"))
    html = login(world.editor_a).get(f"/agency/followup/{target.id}", headers=ENGLISH)
    assert "Reminder" in html.get_data(as_text=True)


def test_an_extension_is_requested_and_approved(world, issue, login, db_session):
    target = issue()
    agency = login(world.editor_a)
    response = agency.post(
        f"/agency/followup/{target.id}/extension",
        data={"due_on": "2026-12-31", "reason": "涉及多部门协调"},
    )
    assert response.status_code == 302
    again = agency.post(
        f"/agency/followup/{target.id}/extension",
        data={"due_on": "2027-01-29", "reason": "再次申请"},
        headers=ENGLISH,
        follow_redirects=True,
    )
    assert "already waiting" in again.get_data(as_text=True)
    db_session.expire_all()
    request = db_session.scalar(select(ExtensionRequest))
    office = login(world.supervisor)
    office.post(f"/admin/followup/extensions/{request.id}", data={"decision": "approve"})
    db_session.expire_all()
    assert db_session.get(ExtensionRequest, request.id).state is ExtensionState.approved
    assert db_session.get(RectificationItem, target.id).due_on == D(2026, 12, 31)
    decided = office.post(
        f"/admin/followup/extensions/{request.id}",
        data={"decision": "approve"},
        headers=ENGLISH,
        follow_redirects=True,
    )
    assert "already been decided" in decided.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"due_on": "2026-11-01", "reason": "x"}, "after the current one"),
        ({"due_on": "2026-12-31", "reason": " "}, "Give the new deadline and the reason"),
    ],
)
def test_bad_extension_requests_are_refused(world, issue, login, db_session, data, message):
    target = issue()
    html = login(world.editor_a).post(
        f"/agency/followup/{target.id}/extension",
        data=data,
        headers=ENGLISH,
        follow_redirects=True,
    )
    assert message in html.get_data(as_text=True)
    assert db_session.scalar(select(ExtensionRequest)) is None


def test_refusing_an_extension_needs_a_reason(world, issue, login, db_session):
    target = issue()
    login(world.editor_a).post(
        f"/agency/followup/{target.id}/extension", data={"due_on": "2026-12-31", "reason": "x"}
    )
    request = db_session.scalar(select(ExtensionRequest))
    office = login(world.supervisor)
    html = office.post(
        f"/admin/followup/extensions/{request.id}",
        data={"decision": "reject"},
        headers=ENGLISH,
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Give the reason for refusing." in html
    office.post(
        f"/admin/followup/extensions/{request.id}",
        data={"decision": "reject", "note": "理由不充分"},
    )
    db_session.expire_all()
    assert db_session.get(ExtensionRequest, request.id).state is ExtensionState.rejected
    assert db_session.get(RectificationItem, target.id).due_on == D(2026, 11, 30)


def test_filters_and_export(world, issue, login, today, db_session):
    run, _ = scored_run(db_session, world)
    issue(title="甲局事项", source_kind="scoring_run", source_id=run.id)
    issue(agency=world.agency_b, title="乙局事项", working_days=None, due_on=D(2026, 9, 4))
    issue(agency=world.agency_c, title="丙局事项")
    today["today"] = D(2026, 9, 7)
    client = login(world.supervisor)

    def titles(**args):
        html = client.get("/admin/followup/", query_string=args).get_data(as_text=True)
        return {t for t in ("甲局事项", "乙局事项", "丙局事项") if t in html}

    assert titles() == {"甲局事项", "乙局事项", "丙局事项"}
    assert titles(agency_id=world.agency_b.id) == {"乙局事项"}
    assert titles(jurisdiction_id=world.district.id) == {"丙局事项"}
    assert titles(source="scoring_run") == {"甲局事项"}
    assert titles(colour="red") == {"乙局事项"}
    assert titles(colour="yellow") == {"甲局事项", "丙局事项"}
    assert titles(state="closed") == set()
    export = client.get("/admin/followup/export.xlsx", query_string={"colour": "red"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "单位", "来源", "来源编号", "标题")
    assert [row[4] for row in rows[1:]] == ["乙局事项"]
    # the district office sees only its own items
    district = login(world.district_supervisor)
    html = district.get("/admin/followup/").get_data(as_text=True)
    assert "丙局事项" in html and "甲局事项" not in html


def test_a_closed_item_shows_when_its_review_is_due(world, issue, login, db_session, today):
    target = issue(title="待回头看事项")
    target.state, target.closed_on = ItemState.closed, D(2026, 9, 1)
    target.review_due_on = D(2026, 10, 1)
    db_session.commit()
    client = login(world.supervisor)
    assert "review due" not in client.get("/admin/followup/", headers=ENGLISH).get_data(
        as_text=True
    )
    today["today"] = D(2026, 10, 1)
    assert "review due" in client.get("/admin/followup/", headers=ENGLISH).get_data(as_text=True)
    home = client.get("/admin/", headers=ENGLISH).get_data(as_text=True)
    assert "1 closed item is due for its review" in home and "待回头看事项" in home


def test_an_overdue_item_leads_to_escalation(world, issue, login, today):
    target = issue()
    client = login(world.supervisor)
    link = f"/admin/escalations/agency/{world.agency_a.id}/new"
    assert link not in client.get(f"/admin/followup/items/{target.id}").get_data(as_text=True)
    today["today"] = D(2026, 12, 1)
    assert link in client.get(f"/admin/followup/items/{target.id}").get_data(as_text=True)
