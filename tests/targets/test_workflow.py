"""Draft → submitted (leader) → approved, or returned with comments → revised → submitted again.
The rules are checked at submission and every refusal says exactly what is missing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey.agencies import services as agencies
from survey.audit.models import AuditEntry
from survey.targets.models import SetState, Target
from tests.targets.conftest import fresh_set, make_set


def flashes(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", m).strip()
        for m in re.findall(r'class="flash error"[^>]*>(.*?)</div>', html, re.S)
    ]


def submit(client, target_set):
    return client.post(
        "/agency/targets/submit",
        data={"revision": str(target_set.revision)},
        follow_redirects=True,
    )


def test_the_leader_submits_a_complete_set(app, world, open_year, db_session, login):
    target_set = make_set(app, db_session, world)
    page = submit(login(world.leader_a), target_set)
    assert "目标已报送编办审核" in page.get_data(as_text=True)
    stored = fresh_set(db_session, target_set)
    assert stored.state is SetState.submitted and stored.submitted_by_id == world.leader_a.id
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "targets.submit"))
    assert entry.before["state"] == "draft" and entry.after["state"] == "submitted"


def test_an_editor_cannot_sign_off(app, world, open_year, db_session, login):
    target_set = make_set(app, db_session, world)
    client = login(world.editor_a)
    assert "只有单位负责人可以报送目标" in client.get("/agency/targets/").get_data(as_text=True)
    page = submit(client, target_set)
    assert "只有单位负责人可以签发报送" in page.get_data(as_text=True)
    assert fresh_set(db_session, target_set).state is SetState.draft


def test_too_few_targets_are_refused_with_the_count(app, world, open_year, db_session, login):
    target_set = make_set(app, db_session, world, count=3)
    page = submit(login(world.leader_a), target_set)
    assert "至少需要 5 项目标，目前只有 3 项。" in flashes(page.get_data(as_text=True))
    assert fresh_set(db_session, target_set).state is SetState.draft


def test_the_numbers_come_from_the_years_configuration(app, world, open_year, db_session, login):
    world.year.config = {**world.year.config, "min_targets": 2}
    db_session.commit()
    target_set = make_set(app, db_session, world, count=2)
    submit(login(world.leader_a), target_set)
    assert fresh_set(db_session, target_set).state is SetState.submitted


def test_every_business_section_needs_a_target(app, world, open_year, db_session, login):
    with app.app_context():
        agencies.create_section(db_session, None, world.agency_a, name="业务二科", is_business=True)
        db_session.commit()
    target_set = make_set(app, db_session, world)
    page = submit(login(world.leader_a), target_set)
    assert "业务科室“业务二科”至少需要 1 项目标，目前有 0 项。" in flashes(
        page.get_data(as_text=True)
    )


def test_missing_fields_are_named_per_target(app, world, open_year, db_session, login):
    target_set = make_set(app, db_session, world, standard="", leader=" ", deadline=None)
    page = submit(login(world.leader_a), target_set)
    messages = flashes(page.get_data(as_text=True))
    assert "第 1 项目标（重点任务1）缺少：量化标准、分管领导、完成时限。" in messages
    assert len(messages) == 5


def test_the_problems_are_shown_before_submitting(app, world, open_year, db_session, login):
    make_set(app, db_session, world, count=4)
    html = login(world.editor_a).get("/agency/targets/").get_data(as_text=True)
    assert "报送前还需要" in html and "至少需要 5 项目标，目前只有 4 项。" in html


def review(client, target_set, decision, comment=""):
    return client.post(
        f"/admin/targets/sets/{target_set.id}/review",
        data={"decision": decision, "comment": comment, "revision": str(target_set.revision)},
        follow_redirects=True,
    )


def test_returned_with_comments_revised_and_resubmitted(app, world, open_year, db_session, login):
    target_set = make_set(app, db_session, world, state=SetState.submitted)
    supervisor = login(world.supervisor)
    page = review(supervisor, target_set, "return")
    assert "退回修改须填写意见" in page.get_data(as_text=True) or "请说明需要修改的内容" in (
        page.get_data(as_text=True)
    )
    assert fresh_set(db_session, target_set).state is SetState.submitted
    review(supervisor, target_set, "return", "第3项量化标准不具体")
    stored = fresh_set(db_session, target_set)
    assert stored.state is SetState.returned and stored.review_comment == "第3项量化标准不具体"

    leader = login(world.leader_a)
    assert "第3项量化标准不具体" in leader.get("/agency/targets/").get_data(as_text=True)
    target = stored.live_targets[2]
    response = leader.post(
        f"/agency/targets/{target.id}/edit",
        data={
            "title": target.title,
            "category": target.category.value,
            "duty": target.duty.value,
            "basis": target.basis,
            "standard": "12月底前办结率达到100%，群众满意率90%以上",
            "section_id": str(target.section_id),
            "leader": target.leader,
            "deadline": target.deadline.isoformat(),
            "expected_outcome": target.expected_outcome,
            "oversight": target.oversight.value,
            "revision": str(target.revision),
        },
    )
    assert response.status_code == 302
    submit(leader, fresh_set(db_session, target_set))
    assert fresh_set(db_session, target_set).state is SetState.submitted
    review(login(world.supervisor), fresh_set(db_session, target_set), "approve")
    assert fresh_set(db_session, target_set).state is SetState.approved
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "target_sets")
    ).all()
    assert actions == ["targets.return", "targets.submit", "targets.approve"]


@pytest.mark.parametrize(
    "state", [SetState.draft, SetState.approved, SetState.returned], ids=lambda s: s.value
)
def test_only_a_submitted_set_is_reviewed(app, world, open_year, db_session, login, state):
    target_set = make_set(app, db_session, world, state=state)
    page = review(login(world.supervisor), target_set, "approve", "好")
    assert "只有已报送的目标才能审核通过或退回" in page.get_data(as_text=True)
    assert fresh_set(db_session, target_set).state is state


@pytest.mark.parametrize("state", [SetState.submitted, SetState.approved], ids=lambda s: s.value)
def test_a_submitted_or_approved_target_cannot_be_edited(
    app, world, open_year, db_session, login, state
):
    target_set = make_set(app, db_session, world, state=state)
    target = target_set.live_targets[0]
    client = login(world.editor_a)
    page = client.get(f"/agency/targets/{target.id}/edit", follow_redirects=True)
    assert "只能通过调整申请修改" in page.get_data(as_text=True)
    page = client.get("/agency/targets/new", follow_redirects=True)
    assert "只能通过调整申请修改" in page.get_data(as_text=True)
    client.post(
        f"/agency/targets/{target.id}/withdraw",
        data={"revision": str(target.revision)},
    )
    db_session.expire_all()
    assert db_session.get(Target, target.id).withdrawn_at is None


def test_a_closed_year_changes_nothing(app, world, open_year, db_session, login):
    target_set = make_set(app, db_session, world)
    world.year.close()
    db_session.commit()
    page = submit(login(world.leader_a), target_set)
    assert fresh_set(db_session, target_set).state is SetState.draft
    assert "2026 监管年度已关闭" in page.get_data(as_text=True)  # says why, not "none yet"


def test_a_viewer_reads_but_cannot_review(app, world, open_year, db_session, login):
    target_set = make_set(app, db_session, world, state=SetState.submitted)
    client = login(world.viewer)
    page = client.get(f"/admin/targets/agency/{world.agency_a.id}/year/{world.year.id}")
    assert page.status_code == 200 and "重点任务1" in page.get_data(as_text=True)
    assert review(client, target_set, "approve").status_code == 403


def test_a_district_office_cannot_see_or_review_city_targets(
    app, world, open_year, db_session, login
):
    target_set = make_set(app, db_session, world, state=SetState.submitted)
    client = login(world.district_supervisor)
    assert (
        client.get(f"/admin/targets/agency/{world.agency_a.id}/year/{world.year.id}").status_code
        == 404
    )
    assert client.get(f"/admin/targets/{target_set.live_targets[0].id}").status_code == 404
    assert review(client, target_set, "approve").status_code == 404
    assert fresh_set(db_session, target_set).state is SetState.submitted
