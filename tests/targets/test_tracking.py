"""Progress ledger entries with evidence files, and the self-assessment signed off by the
leader. Files are checked by type, content and size; nothing is kept when any is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from survey.evidence import storage
from survey.evidence.models import EvidenceFile
from survey.targets.models import Completion, LedgerEntry, SelfAssessment, SetState
from tests.fixtures.client import form_errors
from tests.targets.conftest import PDF, PNG, fresh_set, make_set, post_files, upload


@pytest.fixture
def target(app, world, open_year, db_session):
    return make_set(app, db_session, world, state=SetState.approved).live_targets[0]


def add_entry(client, target, files=(), **changes):
    data = {"entry_date": "2026-07-20", "text": "完成第一阶段", "percent": "40", **changes}
    return post_files(client, f"/agency/targets/{target.id}/ledger", data, list(files))


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def test_an_entry_with_evidence_is_recorded(app, world, target, db_session, login):
    client = login(world.editor_a)
    response = add_entry(client, target, [upload("会议纪要.pdf", PDF), upload("现场.png", PNG)])
    assert response.status_code == 302
    (entry,) = db_session.scalars(select(LedgerEntry)).all()
    assert (entry.entry_date, entry.percent) == (dt.date(2026, 7, 20), 40)
    files = db_session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [f.filename for f in files] == ["会议纪要.pdf", "现场.png"]
    assert [f.content_type for f in files] == ["application/pdf", "image/png"]
    with app.app_context():
        path = storage.path_of(files[0].sha256)
        assert path.read_bytes() == PDF
        assert "static" not in path.parts
    page = client.get(f"/agency/targets/{target.id}").get_data(as_text=True)
    assert "完成第一阶段" in page and "会议纪要.pdf" in page
    download = client.get(f"/agency/evidence/{files[0].id}")
    body = download.data
    download.close()  # send_file streams from an open file
    assert download.status_code == 200 and body == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("脚本.exe", b"MZ\x90\x00", "只接受以下文件类型"),
        ("网页.html", b"<script>alert(1)</script>", "只接受以下文件类型"),
        ("伪装.pdf", b"<html><script>alert(1)</script>", "不是真正的 .pdf 文件"),
        ("伪装.docx", PDF, "不是真正的 .docx 文件"),
        ("空.pdf", b"", "是空文件"),
        ("大.pdf", b"%PDF-" + b"0" * storage.MAX_EVIDENCE_BYTES, "超过 4 MB"),
    ],
)
def test_a_wrong_file_refuses_the_entry_and_keeps_the_text(
    world, target, db_session, login, name, data, message
):
    client = login(world.editor_a)
    page = add_entry(client, target, [upload("好的.pdf", PDF), upload(name, data)])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert any(message in error for error in form_errors(html)), form_errors(html)
    assert "完成第一阶段" in html
    assert count(db_session, LedgerEntry) == 0 and count(db_session, EvidenceFile) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"entry_date": "2026-08-02"}, "台账日期不能晚于今天。"),
        ({"entry_date": "2025-12-31"}, "台账日期须在 2026 年内。"),
    ],
)
def test_entry_dates_are_checked(world, target, db_session, login, changes, message):
    page = add_entry(login(world.editor_a), target, **changes)
    assert form_errors(page.get_data(as_text=True)) == [message]
    assert count(db_session, LedgerEntry) == 0


def test_ledger_entries_and_evidence_are_never_changed_or_deleted(world, target, db_session, login):
    add_entry(login(world.editor_a), target, [upload("a.pdf", PDF)])
    db_session.commit()
    for statement in (
        update(LedgerEntry).values(percent=100),
        LedgerEntry.__table__.delete(),
        update(EvidenceFile).values(filename="x.pdf"),
        EvidenceFile.__table__.delete(),
    ):
        with pytest.raises(DBAPIError), db_session.begin_nested():
            db_session.execute(statement)


def assess(client, target, files=(), **changes):
    data = {
        "status": "done",
        "completed_on": "2026-07-10",
        "outcome": "按期完成，办结率100%",
        "self_score": "92.5",
        **changes,
    }
    return post_files(client, f"/agency/targets/{target.id}/assessment", data, list(files))


def test_the_self_assessment_is_saved_and_revised(world, target, db_session, login):
    client = login(world.editor_a)
    assert assess(client, target, [upload("成果.pdf", PDF)]).status_code == 302
    assessment = db_session.scalar(select(SelfAssessment))
    assert (assessment.status, assessment.self_score) == (Completion.done, Decimal("92.5"))
    response = assess(
        client, target, status="partly", self_score="70", revision=str(assessment.revision)
    )
    assert response.status_code == 302
    db_session.expire_all()
    assessment = db_session.scalar(select(SelfAssessment))
    assert assessment.status is Completion.partly and assessment.completed_on is None
    stale = assess(client, target, self_score="10", revision="1")
    assert "已被他人修改" in stale.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalar(select(SelfAssessment)).self_score == Decimal("70.0")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"self_score": "100.5"}, "自评分须在 0 至 100 之间。"),
        ({"completed_on": ""}, "请填写完成日期。"),
        ({"completed_on": "2026-08-15"}, "完成日期不能晚于今天。"),
    ],
)
def test_self_assessment_rules(world, target, db_session, login, changes, message):
    page = assess(login(world.editor_a), target, **changes)
    assert form_errors(page.get_data(as_text=True)) == [message]
    assert count(db_session, SelfAssessment) == 0


def test_the_leader_submits_the_self_assessment_once_all_are_done(
    app, world, target, db_session, login
):
    leader = login(world.leader_a)
    target_set = target.target_set
    page = leader.post(
        "/agency/targets/assessment/submit",
        data={"revision": str(target_set.revision)},
        follow_redirects=True,
    )
    assert "每项目标都须先完成自评" in page.get_data(as_text=True)
    for each in fresh_set(db_session, target_set).live_targets:
        assert assess(leader, each).status_code == 302
    editor = login(world.editor_a)
    page = editor.post(
        "/agency/targets/assessment/submit",
        data={"revision": str(fresh_set(db_session, target_set).revision)},
        follow_redirects=True,
    )
    assert "只有单位负责人可以签发报送" in page.get_data(as_text=True)
    leader = login(world.leader_a)
    leader.post(
        "/agency/targets/assessment/submit",
        data={"revision": str(fresh_set(db_session, target_set).revision)},
    )
    assert fresh_set(db_session, target_set).assessment_submitted_by_id == world.leader_a.id
    page = assess(leader, target, self_score="60")
    assert "自评已报送，不能再修改" in page.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalar(
        select(SelfAssessment.self_score).where(SelfAssessment.target_id == target.id)
    ) == Decimal("92.5")
