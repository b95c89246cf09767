"""An approved target changes only through a recorded adjustment request that the supervisor
approves; the old and new values are kept on the request and in the audit log."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from survey.audit.models import AuditEntry
from survey.targets.models import AdjustmentState, SetState, Target, TargetAdjustment
from tests.targets.conftest import make_set


def target_form(target, **changes) -> dict:
    data = {
        "title": target.title,
        "category": target.category.value,
        "duty": target.duty.value,
        "basis": target.basis,
        "standard": target.standard,
        "section_id": str(target.section_id),
        "leader": target.leader,
        "deadline": target.deadline.isoformat(),
        "expected_outcome": target.expected_outcome,
        "oversight": target.oversight.value,
    }
    data.update(changes)
    return data


def request_change(client, target, reason="省里调整了任务进度", **changes):
    return client.post(
        f"/agency/targets/{target.id}/adjustments",
        data={**target_form(target, **changes), "reason": reason},
        follow_redirects=True,
    )


def decide(client, adjustment, decision, comment=""):
    return client.post(
        f"/admin/targets/adjustments/{adjustment.id}/decide",
        data={"decision": decision, "comment": comment},
        follow_redirects=True,
    )


def requests_of(db_session, target) -> list[TargetAdjustment]:
    db_session.expire_all()
    return list(
        db_session.scalars(select(TargetAdjustment).where(TargetAdjustment.target_id == target.id))
    )


def test_an_approved_adjustment_changes_the_target(app, world, open_year, db_session, login):
    target = make_set(app, db_session, world, state=SetState.approved).live_targets[0]
    old_deadline = target.deadline
    page = request_change(login(world.editor_a), target, deadline="2026-12-20")
    assert "调整申请已报送编办" in page.get_data(as_text=True)
    (adjustment,) = requests_of(db_session, target)
    assert adjustment.changes == {"deadline": "2026-12-20"}
    assert adjustment.before == {"deadline": old_deadline.isoformat()}
    assert db_session.get(Target, target.id).deadline == old_deadline  # not yet

    admin_page = login(world.supervisor).get(f"/admin/targets/{target.id}")
    assert "2026-12-20" in admin_page.get_data(as_text=True)
    decide(login(world.supervisor), adjustment, "approve")
    db_session.expire_all()
    assert db_session.get(Target, target.id).deadline == dt.date(2026, 12, 20)
    assert db_session.get(TargetAdjustment, adjustment.id).state is AdjustmentState.approved
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "target.adjust"))
    assert entry.before["deadline"] == old_deadline.isoformat()
    assert entry.after["deadline"] == "2026-12-20"


def test_the_request_shows_fields_in_words(app, world, open_year, db_session, login):
    target = make_set(app, db_session, world, state=SetState.approved).live_targets[0]
    request_change(login(world.editor_a), target, category="coordination")
    html = login(world.supervisor).get(f"/admin/targets/{target.id}").get_data(as_text=True)
    assert "协调配合工作" in html and "coordination" not in html


def test_a_rejection_needs_a_reason_and_changes_nothing(app, world, open_year, db_session, login):
    target = make_set(app, db_session, world, state=SetState.approved).live_targets[0]
    request_change(login(world.editor_a), target, title="新标题")
    (adjustment,) = requests_of(db_session, target)
    supervisor = login(world.supervisor)
    assert "请说明驳回理由" in decide(supervisor, adjustment, "reject").get_data(as_text=True)
    decide(supervisor, adjustment, "reject", "理由不充分")
    (adjustment,) = requests_of(db_session, target)
    assert adjustment.state is AdjustmentState.rejected
    assert db_session.get(Target, target.id).title == target.title
    page = decide(supervisor, adjustment, "approve")
    assert "该调整申请已审核" in page.get_data(as_text=True)


def test_one_pending_request_at_a_time_and_it_must_change_something(
    app, world, open_year, db_session, login
):
    target = make_set(app, db_session, world, state=SetState.approved).live_targets[0]
    client = login(world.editor_a)
    page = request_change(client, target)
    assert "申请没有改动任何内容" in page.get_data(as_text=True)
    request_change(client, target, leader="赵副局长")
    page = request_change(client, target, leader="钱副局长")
    assert "已有一项调整申请在等待审核" in page.get_data(as_text=True)
    assert len(requests_of(db_session, target)) == 1


def test_a_draft_target_is_edited_not_adjusted(app, world, open_year, db_session, login):
    target = make_set(app, db_session, world).live_targets[0]
    page = request_change(login(world.editor_a), target, title="新标题")
    assert "只有审核通过的目标才能申请调整" in page.get_data(as_text=True)
    assert requests_of(db_session, target) == []


def test_agencies_and_viewers_cannot_decide(app, world, open_year, db_session, login):
    target = make_set(app, db_session, world, state=SetState.approved).live_targets[0]
    request_change(login(world.editor_a), target, title="新标题")
    (adjustment,) = requests_of(db_session, target)
    assert decide(login(world.leader_a), adjustment, "approve").status_code == 403
    assert decide(login(world.viewer), adjustment, "approve").status_code == 403
    assert decide(login(world.district_supervisor), adjustment, "approve").status_code == 404
    assert requests_of(db_session, target)[0].state is AdjustmentState.pending
