"""The reports pages as the office, a viewer and the agencies use them; the stored builds are
immutable and download unchanged; the command line."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from survey.auditing import AuditEntry
from survey.reports.cli import reports_cli
from survey.reports.models import BuildKind, FeedbackReceipt, ReportAdvice, ReportBuild
from tests.fixtures.client import form_errors
from tests.reports.conftest import ADVICE, feedback_builds, open_docx, report_build, stored


def test_write_the_advice_then_build_and_download_the_report(world, login, db_session, run):
    client = login(world.supervisor)
    year_page = client.get(f"/admin/years/{world.year.id}").get_data(as_text=True)
    assert f"/admin/reports/years/{world.year.id}" in year_page
    page = client.get(f"/admin/reports/years/{world.year.id}").get_data(as_text=True)
    assert "disabled" in page  # no 意见建议 yet: the report button waits for them
    refused = client.post(
        f"/admin/reports/years/{world.year.id}/report", data={"report-run_id": run.id}
    )
    assert refused.status_code == 302
    assert db_session.scalar(select(func.count()).select_from(ReportBuild)) == 0

    blank = client.post(f"/admin/reports/years/{world.year.id}/advice", data={"text": "  "})
    assert blank.status_code == 200 and form_errors(blank.get_data(as_text=True))
    saved = client.post(f"/admin/reports/years/{world.year.id}/advice", data={"text": ADVICE})
    assert saved.status_code == 302
    built = client.post(
        f"/admin/reports/years/{world.year.id}/report", data={"report-run_id": run.id}
    )
    assert built.status_code == 302
    build = db_session.scalar(select(ReportBuild))
    assert build.kind is BuildKind.supervision and build.built_by_id == world.supervisor.id
    assert build.run_id == run.id and build.advice_id == db_session.scalar(select(ReportAdvice.id))

    listing = client.get(f"/admin/reports/years/{world.year.id}").get_data(as_text=True)
    assert f'data-build="{build.id}"' in listing and build.sha256[:16] in listing
    download = client.get(f"/admin/reports/builds/{build.id}/download")
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == build.sha256
    assert "attachment" in download.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    assert "各单位要对照年度目标" in "\n".join(p.text for p in open_docx(download.data).paragraphs)
    audit = db_session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("reports.%")))
    assert set(audit) == {"reports.advice", "reports.build_supervision"}


def test_an_earlier_build_downloads_unchanged_after_new_advice(app, world, login, db_session, run):
    first, data = report_build(app, db_session, world, run)
    client = login(world.supervisor)
    assert (
        client.post(
            f"/admin/reports/years/{world.year.id}/advice",
            data={"text": "（一）新的建议\n另一段。"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/admin/reports/years/{world.year.id}/report", data={"report-run_id": run.id}
        ).status_code
        == 302
    )
    second = db_session.scalar(select(ReportBuild).order_by(ReportBuild.id.desc()))
    assert second.id != first.id and second.sha256 != first.sha256
    assert client.get(f"/admin/reports/builds/{first.id}/download").data == data
    assert second.advice_id != first.advice_id


def test_builds_advice_and_receipts_are_never_changed(app, world, db_session, run):
    build, _ = report_build(app, db_session, world, run)
    for statement in (
        "UPDATE report_builds SET sha256 = :x",
        "DELETE FROM report_builds",
        "UPDATE report_advice SET text = :x",
    ):
        with pytest.raises(DatabaseError), db_session.begin_nested():
            db_session.execute(text(statement), {"x": "0" * 64})
    assert db_session.get(ReportBuild, build.id).sha256 == build.sha256


def test_a_viewer_reads_and_downloads_but_builds_nothing(app, world, login, db_session, run):
    build, data = report_build(app, db_session, world, run)
    client = login(world.viewer)
    page = client.get(f"/admin/reports/years/{world.year.id}").get_data(as_text=True)
    assert f"/admin/reports/years/{world.year.id}/report" not in page  # no build forms
    assert "生成监管情况报告" not in page and "查看意见建议" in page
    assert client.get(f"/admin/reports/builds/{build.id}/download").data == data
    assert (
        client.post(f"/admin/reports/years/{world.year.id}/advice", data={"text": "x"}).status_code
        == 403
    )
    assert (
        client.post(
            f"/admin/reports/years/{world.year.id}/report", data={"report-run_id": run.id}
        ).status_code
        == 403
    )


def test_the_agency_downloads_and_acknowledges_its_own_sheet(app, world, login, db_session, run):
    client = login(world.supervisor)
    response = client.post(
        f"/admin/reports/years/{world.year.id}/feedback",
        data={"sheets-run_id": run.id, "sheets-agency_id": 0},
    )
    assert response.status_code == 302
    sheets = {
        b.agency_id: b
        for b in db_session.scalars(
            select(ReportBuild).where(ReportBuild.kind == BuildKind.feedback)
        )
    }
    kinds = set(db_session.scalars(select(ReportBuild.kind)))
    assert kinds == {BuildKind.feedback, BuildKind.feedback_all, BuildKind.feedback_zip}
    own, other = sheets[world.agency_a.id], sheets[world.agency_b.id]

    agency = login(world.leader_a)
    page = agency.get("/agency/reports/").get_data(as_text=True)
    assert f'data-sheet="{own.id}"' in page and f'data-sheet="{other.id}"' not in page
    download = agency.get(f"/agency/reports/{own.id}/download")
    assert download.status_code == 200 and download.data == stored(app, own)
    assert agency.get(f"/agency/reports/{other.id}/download").status_code == 404
    assert agency.post(f"/agency/reports/{other.id}/acknowledge").status_code == 404
    assert agency.post(f"/agency/reports/{own.id}/acknowledge").status_code == 302
    receipt = db_session.scalar(select(FeedbackReceipt))
    assert receipt.build_id == own.id and receipt.acknowledged_by_id == world.leader_a.id
    again = agency.post(f"/agency/reports/{own.id}/acknowledge", follow_redirects=True)
    assert "该反馈单已经签收。" in again.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(FeedbackReceipt)) == 1
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "reports.acknowledge"))
    assert entry.actor_id == world.leader_a.id and entry.after["build_id"] == own.id

    office = (
        login(world.supervisor).get(f"/admin/reports/years/{world.year.id}").get_data(as_text=True)
    )
    assert "leader-a" in office  # who acknowledged, on the office's list


def test_command_line_builds_the_report_and_the_sheets(app, world, db_session, run, tmp_path):
    runner = app.test_cli_runner()
    advice = tmp_path / "advice.txt"
    advice.write_text(ADVICE, encoding="utf-8")
    out = tmp_path / "report.docx"
    missing = runner.invoke(reports_cli, ["supervision", "2026", "--run", "1", "--out", str(out)])
    assert missing.exit_code != 0 and not out.exists()  # no 意见建议 saved, none given
    result = runner.invoke(
        reports_cli,
        ["supervision", "2026", "--run", "1", "--out", str(out), "--advice", str(advice)],
    )
    assert result.exit_code == 0, result.output
    build = db_session.scalar(select(ReportBuild))
    assert (
        build.built_by_id is None and hashlib.sha256(out.read_bytes()).hexdigest() == build.sha256
    )
    zipped = tmp_path / "sheets.zip"
    result = runner.invoke(reports_cli, ["feedback", "2026", "--out", str(zipped)])
    assert result.exit_code == 0, result.output
    assert zipped.read_bytes()[:2] == b"PK"
    one = tmp_path / "a.docx"
    result = runner.invoke(
        reports_cli, ["feedback", "2026", "--agency", world.agency_a.name, "--out", str(one)]
    )
    assert (
        result.exit_code == 0
        and world.agency_a.name in open_docx(one.read_bytes()).paragraphs[3].text
    )


def test_the_run_finalised_makes_the_report_final(app, world, db_session, run):
    from survey.scores import services as scores

    with app.app_context():
        scores.finalise(db_session, world.supervisor, run)
        db_session.commit()
    build, data = report_build(app, db_session, world, run)
    assert not build.draft
    paragraphs = [p.text for p in open_docx(data).paragraphs]
    assert "（征求意见稿）" not in paragraphs
    assert any("已确定为本年度最终结果" in p for p in paragraphs)
    sheets = feedback_builds(app, db_session, world, run, agency_id=world.agency_b.id)
    assert not sheets.sheets[0].draft
