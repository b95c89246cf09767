"""Drafting targets in the agency portal: what an editor may save, and the messages for what
it may not."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from survey.audit.models import AuditEntry
from survey.targets.models import Target, TargetSet
from tests.fixtures.client import form_errors
from tests.targets.conftest import business_section, fresh_set, make_set


def form(db_session, world, **changes) -> dict:
    data = {
        "title": "压减审批时限",
        "category": "core_duty",
        "duty": "approval",
        "basis": "三定规定",
        "standard": "平均审批时限压减30%",
        "section_id": str(business_section(db_session, world.agency_a).id),
        "leader": "李副局长",
        "deadline": "2026-09-30",
        "expected_outcome": "企业办事更快",
        "oversight": "internal",
    }
    data.update(changes)
    return data


def targets_of(db_session, agency) -> list[Target]:
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(Target)
            .join(TargetSet)
            .where(TargetSet.agency_id == agency.id)
            .order_by(Target.id)
        )
    )


def test_an_editor_drafts_a_target_and_it_is_audited(world, open_year, db_session, login):
    client = login(world.editor_a)
    page = client.get("/agency/targets/new")
    assert page.status_code == 200 and "业务一科" in page.get_data(as_text=True)
    response = client.post("/agency/targets/new", data=form(db_session, world))
    assert response.status_code == 302
    (target,) = targets_of(db_session, world.agency_a)
    assert target.title == "压减审批时限" and target.deadline == dt.date(2026, 9, 30)
    assert target.category.value == "core_duty" and target.oversight.value == "internal"
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "target.create"))
    assert entry.actor_id == world.editor_a.id and entry.after["title"] == "压减审批时限"


def test_a_draft_may_leave_fields_empty_but_needs_a_title(world, open_year, db_session, login):
    client = login(world.editor_a)
    blank = {name: "" for name in form(db_session, world)}
    page = client.post("/agency/targets/new", data=blank)
    assert page.status_code == 200
    assert targets_of(db_session, world.agency_a) == []
    response = client.post("/agency/targets/new", data={**blank, "title": "先占位"})
    assert response.status_code == 302
    (target,) = targets_of(db_session, world.agency_a)
    assert target.deadline is None and target.category is None and target.section_id is None


def test_a_deadline_outside_the_year_is_refused_and_the_form_kept(
    world, open_year, db_session, login
):
    client = login(world.editor_a)
    page = client.post("/agency/targets/new", data=form(db_session, world, deadline="2027-01-15"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert form_errors(html) == ["完成时限须在 2026 年内。"]
    assert "平均审批时限压减30%" in html  # what was typed is still there
    assert targets_of(db_session, world.agency_a) == []


def test_another_agencys_section_is_refused(world, open_year, db_session, login):
    other = business_section(db_session, world.agency_b)
    page = login(world.editor_a).post(
        "/agency/targets/new", data=form(db_session, world, section_id=str(other.id))
    )
    assert page.status_code == 200
    assert targets_of(db_session, world.agency_a) == []


def test_without_an_open_year_the_agency_is_told_so(world, db_session, login):
    page = login(world.editor_a).get("/agency/targets/", follow_redirects=True)
    assert "尚无开放的考核年度" in page.get_data(as_text=True)


def test_a_stale_form_is_refused_not_overwritten(app, world, open_year, db_session, login):
    target_set = make_set(app, db_session, world, count=1)
    target = target_set.live_targets[0]
    client = login(world.editor_a)
    data = form(db_session, world, title="甲的修改", revision=str(target.revision))
    assert client.post(f"/agency/targets/{target.id}/edit", data=data).status_code == 302
    # A second editor's form still carries the revision it was opened with.
    stale = form(db_session, world, title="乙的修改", revision=str(target.revision))
    page = client.post(f"/agency/targets/{target.id}/edit", data=stale)
    assert page.status_code == 200
    assert "已被他人修改" in page.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Target, target.id).title == "甲的修改"


def test_a_withdrawn_draft_is_kept_but_no_longer_counted(app, world, open_year, db_session, login):
    target_set = make_set(app, db_session, world, count=2)
    target = target_set.live_targets[0]
    client = login(world.editor_a)
    response = client.post(
        f"/agency/targets/{target.id}/withdraw", data={"revision": str(target.revision)}
    )
    assert response.status_code == 302
    assert len(fresh_set(db_session, target_set).live_targets) == 1
    assert db_session.get(Target, target.id).withdrawn_at is not None
