"""Two people saving the same record: the second save of a stale form is refused with a message
and never overwrites, whether its revision is old when it arrives or is overtaken while the
save runs (SQLAlchemy's version check on the UPDATE)."""

from __future__ import annotations

from sqlalchemy import text

from survey.actions import commit_or_report
from survey.targets import services
from survey.targets.models import SetState, Target
from tests.targets.conftest import complete_values, fresh_set, make_set


def test_a_save_overtaken_mid_flight_is_refused(app, world, open_year, db_session):
    target_set = make_set(app, db_session, world, count=1)
    target_id = target_set.live_targets[0].id
    with app.test_request_context():
        from survey.db import db

        target = db.session.get(Target, target_id)
        shown = target.revision
        # Another request commits a change after this one read the row.
        db.session.connection().execute(
            text("UPDATE targets SET title = '别人的修改', revision = revision + 1 WHERE id = :id"),
            {"id": target_id},
        )
        messages = []
        outcome = commit_or_report(
            messages.append,
            lambda: services.save_target(
                db.session,
                world.editor_a,
                target.target_set,
                complete_values(db.session, world.agency_a, 1, title="我的修改"),
                target=target,
                revision=shown,
            ),
        )
    assert not outcome
    assert messages and "已被他人修改" in messages[0]
    db_session.expire_all()
    # The other change shared this test's transaction, so the rollback took it too; what
    # matters is that this save did not land.
    assert db_session.get(Target, target_id).title != "我的修改"


def test_a_target_saved_after_a_concurrent_approval_is_refused(app, world, open_year, db_session):
    # The set was returned; the editor opened a target, and meanwhile it was approved.
    target_set = make_set(app, db_session, world, state=SetState.returned)
    target_id = target_set.live_targets[0].id
    with app.test_request_context():
        from survey.db import db

        target = db.session.get(Target, target_id)
        assert target.target_set.is_editable  # what the request read
        db.session.connection().execute(
            text(
                "UPDATE target_sets SET state = 'approved', reviewed_at = submitted_at"
                " WHERE id = :id"
            ),
            {"id": target_set.id},
        )
        messages = []
        outcome = commit_or_report(
            messages.append,
            lambda: services.save_target(
                db.session,
                world.editor_a,
                target.target_set,
                complete_values(db.session, world.agency_a, 1, title="批准后偷改"),
                target=target,
                revision=target.revision,
            ),
        )
    assert not outcome and "状态已发生变化" in messages[0]
    db_session.expire_all()
    assert db_session.get(Target, target_id).title != "批准后偷改"


def test_a_leader_signing_off_a_page_older_than_a_saved_assessment_is_refused(
    app, world, open_year, db_session, login
):
    target_set = make_set(app, db_session, world, count=1, state=SetState.approved)
    target = target_set.live_targets[0]
    leader = login(world.leader_a)
    shown = fresh_set(db_session, target_set).revision  # the leader's page
    data = {"status": "partly", "outcome": "推进中", "self_score": "60"}
    assert leader.post(f"/agency/targets/{target.id}/assessment", data=data).status_code == 302
    page = leader.post(
        "/agency/targets/assessment/submit", data={"revision": str(shown)}, follow_redirects=True
    )
    assert "已被他人修改" in page.get_data(as_text=True)
    assert not fresh_set(db_session, target_set).assessment_submitted
