"""The work plan and the summaries: drafted by the editor, signed off by the leader, locked
once submitted; summaries only inside the year's window."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.evidence.models import EvidenceFile, EvidenceOwner
from survey.filings.models import Filing, FilingKind
from tests.targets.conftest import PDF, post_files, upload


def save(client, kind, files=(), **fields):
    data = {"text": "一、总体思路……", "special_plans": "专项一：营商环境提升", **fields}
    return post_files(client, f"/agency/filings/{kind}", data, list(files))


def submit(client, filing):
    return client.post(
        f"/agency/filings/{filing.kind.value}/submit",
        data={"revision": str(filing.revision)},
        follow_redirects=True,
    )


def filing_of(db_session, kind) -> Filing:
    db_session.expire_all()
    return db_session.scalar(select(Filing).where(Filing.kind == kind))


def test_the_work_plan_is_drafted_then_signed_off(world, open_year, db_session, login):
    editor = login(world.editor_a)
    assert save(editor, "work_plan", [upload("工作要点.pdf", PDF)]).status_code == 302
    filing = filing_of(db_session, FilingKind.work_plan)
    assert filing.special_plans == "专项一：营商环境提升" and not filing.is_submitted
    (stored,) = db_session.scalars(select(EvidenceFile)).all()
    assert (stored.owner_type, stored.owner_id) == (EvidenceOwner.filing, filing.id)
    assert "只有单位负责人可以签发报送" in submit(editor, filing).get_data(as_text=True)
    assert not filing_of(db_session, FilingKind.work_plan).is_submitted

    leader = login(world.leader_a)
    assert "已签发报送" in submit(leader, filing).get_data(as_text=True)
    filing = filing_of(db_session, FilingKind.work_plan)
    assert filing.submitted_by_id == world.leader_a.id
    page = save(leader, "work_plan", text="改写")
    assert "该材料已报送，不能再修改" in page.get_data(as_text=True)
    assert filing_of(db_session, FilingKind.work_plan).text == "一、总体思路……"
    html = (
        login(world.supervisor)
        .get(f"/admin/targets/agency/{world.agency_a.id}/year/{world.year.id}")
        .get_data(as_text=True)
    )
    assert "一、总体思路……" in html and "工作要点.pdf" in html


def test_a_summary_outside_its_window_is_refused(world, open_year, db_session, login):
    # "Today" is 2026-08-01: the half-year window (06-15 to 07-15) has closed.
    leader = login(world.leader_a)
    before = leader.get("/agency/filings/half_year").get_data(as_text=True)
    assert "报送期限已于 2026-07-15 截止" in before  # said before anyone types
    assert "请先保存草稿" in before  # and why there is no submit button yet
    save(leader, "half_year")
    page = submit(leader, filing_of(db_session, FilingKind.half_year))
    assert "半年总结的受理期为 2026-06-15 至 2026-07-15。" in page.get_data(as_text=True)
    assert not filing_of(db_session, FilingKind.half_year).is_submitted


def test_a_summary_inside_its_window_is_accepted(world, open_year, db_session, login):
    world.year.config = {
        **world.year.config,
        "summary_windows": {
            "half_year": {"opens": "07-20", "closes": "08-10"},
            "year_end": {"opens": "12-01", "closes": "12-31"},
        },
    }
    db_session.commit()
    leader = login(world.leader_a)
    save(leader, "half_year")
    submit(leader, filing_of(db_session, FilingKind.half_year))
    assert filing_of(db_session, FilingKind.half_year).is_submitted


def test_an_empty_filing_cannot_be_submitted(world, open_year, db_session, login):
    leader = login(world.leader_a)
    save(leader, "work_plan", text="  ")
    page = submit(leader, filing_of(db_session, FilingKind.work_plan))
    assert "请先填写正文再报送" in page.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["unknown", "WORK_PLAN"])
def test_unknown_kinds_are_not_found(world, open_year, login, kind):
    assert login(world.editor_a).get(f"/agency/filings/{kind}").status_code == 404


def test_after_the_year_closes_the_agency_is_told_why_its_pages_lead_home(
    world, open_year, db_session, login
):
    from survey.years.models import YearState

    world.year.state = YearState.closed
    world.year.closed_at = world.year.opened_at
    db_session.commit()
    editor = login(world.editor_a)
    for path in ("/agency/filings/", "/agency/targets/"):
        page = editor.get(path, follow_redirects=True).get_data(as_text=True)
        assert "2026 监管年度已关闭" in page, path
