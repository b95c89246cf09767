"""An editor of agency A can never read or change agency B's targets, evidence or scores, by
URL guessing too: every id of another agency is simply not found."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.evidence.models import EvidenceFile
from survey.targets.models import SetState, Target
from tests.targets.conftest import PDF, make_set, post_files, upload


@pytest.fixture
def b_target(app, world, open_year, db_session, login):
    target_set = make_set(
        app, db_session, world, world.agency_b, state=SetState.approved, title="乙局专属任务"
    )
    target = target_set.live_targets[0]
    client = login(world.editor_b)
    post_files(
        client,
        f"/agency/targets/{target.id}/ledger",
        {"entry_date": "2026-07-01", "text": "乙局进展", "percent": "50"},
        [upload("乙局材料.pdf", PDF)],
    )
    return target


def test_agency_a_cannot_reach_agency_bs_records(world, b_target, db_session, login):
    evidence = db_session.scalar(select(EvidenceFile))
    assert evidence.agency_id == world.agency_b.id
    client = login(world.editor_a)
    target_id = b_target.id
    for method, url, data in [
        ("GET", f"/agency/targets/{target_id}", None),
        ("GET", f"/agency/targets/{target_id}/edit", None),
        ("POST", f"/agency/targets/{target_id}/edit", {"title": "篡改"}),
        ("POST", f"/agency/targets/{target_id}/withdraw", {"revision": "1"}),
        ("POST", f"/agency/targets/{target_id}/ledger", {"text": "x", "percent": "1"}),
        ("POST", f"/agency/targets/{target_id}/assessment", {"status": "done"}),
        ("POST", f"/agency/targets/{target_id}/adjustments", {"title": "x", "reason": "x"}),
        ("GET", f"/agency/evidence/{evidence.id}", None),
    ]:
        response = client.open(url, method=method, data=data or {})
        response.close()
        assert response.status_code == 404, (method, url)
    db_session.expire_all()
    target = db_session.get(Target, target_id)
    assert target.title == "乙局专属任务" and target.withdrawn_at is None
    assert len(target.ledger) == 1 and target.assessment is None


def test_agency_pages_never_list_another_agencys_targets(app, world, b_target, db_session, login):
    make_set(app, db_session, world)  # agency A's own targets, "重点任务1" …
    client = login(world.editor_a)
    for url in ("/agency/targets/", "/agency/"):
        html = client.get(url, follow_redirects=True).get_data(as_text=True)
        assert "乙局" not in html.replace("测试市乙局", "")
        assert "乙局专属任务" not in html and "乙局进展" not in html
    assert "重点任务1" in client.get("/agency/targets/").get_data(as_text=True)


def test_evidence_in_the_admin_portal_is_scoped(world, b_target, db_session, login):
    evidence = db_session.scalar(select(EvidenceFile))
    response = login(world.supervisor).get(f"/admin/evidence/{evidence.id}")
    body = response.data
    response.close()
    assert response.status_code == 200 and body == PDF
    assert login(world.district_supervisor).get(f"/admin/evidence/{evidence.id}").status_code == 404
    assert login(world.viewer).get(f"/admin/evidence/{evidence.id}").status_code == 403
    assert login(world.editor_b).get(f"/admin/evidence/{evidence.id}").status_code == 403
