"""The scores pages as a supervisor and a viewer use them, and the command line."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey.evidence.models import EvidenceFile, EvidenceOwner
from survey.scores.cli import scores_cli
from survey.scores.models import RunFinalisation, ScoreItem, ScoringRun
from tests.fixtures.client import form_errors
from tests.scores.conftest import AS_OF


def test_compute_from_the_year_page_then_read_and_export(world, login, db_session, scored):
    client = login(world.supervisor)
    page = client.get(f"/admin/years/{world.year.id}").get_data(as_text=True)
    assert f"/admin/scores/years/{world.year.id}" in page
    response = client.post(f"/admin/scores/years/{world.year.id}/compute")
    assert response.status_code == 302
    run = db_session.scalar(select(ScoringRun))
    assert response.headers["Location"].endswith(f"/admin/scores/runs/{run.id}")
    html = client.get(f"/admin/scores/runs/{run.id}").get_data(as_text=True)
    assert world.agency_a.name in html and world.agency_b.name in html
    assert 'class="not-rated"' in html  # agency B, without targets
    explained = client.get(f"/admin/scores/runs/{run.id}/agencies/{world.agency_a.id}")
    text = explained.get_data(as_text=True)
    assert "逾期完成" in text and "监管缺位" in text  # its targets and its finding
    # Each item's answer distribution, as stored in the run, under its n and mean.
    stored = next(a for a in run.result_data()["agencies"] if a["agency_id"] == world.agency_a.id)
    column = "effectiveness.5.E1"  # the public's weight in 配合度 is 0: not shown there
    counts = stored["answers"]["public"][column]
    shown = re.search(rf'<li data-item="public/{re.escape(column)}">.*?</li>', text, re.S).group(0)
    assert "答案分布（1–" in shown
    pairs = re.findall(r'data-answer="([^"]+)" data-count="(\d+)"', shown)
    assert [[int(a), int(c)] for a, c in pairs] == counts
    # Each score used says where it comes from: the group's centre, its own responses and the
    # agency's other sources, as stored in the run (numbers that add up to it).
    dim = next(d for d in stored["engine"]["dimensions"] if d["dimension"] == "effectiveness")
    public = next(g for g in dim["groups"] if g["group"] == "public")
    assert public["centre"] + public["from_own"] + public["from_others"] == pytest.approx(
        public["score"]
    )
    row = re.search(r'<tr data-group="effectiveness-public">.*?</tr>', text, re.S).group(0)
    assert f"本来源 {public['from_own']:+.1f}" in row
    assert f"其他来源 {public['from_others']:+.1f}" in row

    book = load_workbook(io.BytesIO(client.get(f"/admin/scores/runs/{run.id}/scores.xlsx").data))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.freeze_panes == "B2"
    names = [row[0] for row in rows[1:]]
    assert names == [world.agency_a.name, world.agency_b.name]  # ranked first, then not
    assert rows[1][10] == 1  # rank within kind
    assert rows[2][10] is None and rows[2][13]  # not ranked, with the reason
    settings = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True)}
    assert run.result_checksum in settings.values()

    data = client.get(f"/admin/scores/runs/{run.id}/scores.csv").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(data)))
    assert len(table) == 3 and table[1][0] == world.agency_a.name
    whole = json.loads(client.get(f"/admin/scores/runs/{run.id}/scores.json").data)
    assert {a["agency_id"] for a in whole["agencies"]} == {world.agency_a.id, world.agency_b.id}


def test_finalising_asks_for_confirmation(world, login, db_session, scored):
    client = login(world.supervisor)
    client.post(f"/admin/scores/years/{world.year.id}/compute")
    run = db_session.scalar(select(ScoringRun))
    url = f"/admin/scores/runs/{run.id}/finalise"
    assert "confirm" in client.get(url).get_data(as_text=True)
    response = client.post(url, data={})
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert db_session.scalar(select(func.count()).select_from(RunFinalisation)) == 0
    assert client.post(url, data={"confirm": "y"}).status_code == 302
    assert db_session.scalar(select(RunFinalisation.run_id)) == run.id


def test_viewer_reads_but_cannot_compute(world, login, db_session, scored):
    client = login(world.viewer)
    assert client.get(f"/admin/scores/years/{world.year.id}").status_code == 200
    assert client.post(f"/admin/scores/years/{world.year.id}/compute").status_code == 403
    assert db_session.scalar(select(func.count()).select_from(ScoringRun)) == 0


def test_items_form_records_and_refuses_with_messages(world, login, db_session, scored):
    client = login(world.supervisor)
    url = f"/admin/scores/years/{world.year.id}/items"
    bad = {"agency_id": world.agency_a.id, "points": "abc", "reason": "表彰", "basis": "文件"}
    response = client.post(url, data=bad)
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    good = {**bad, "points": "-1.5"}
    assert client.post(url, data=good).status_code == 302
    item = db_session.scalar(select(ScoreItem))
    assert float(item.points) == -1.5 and item.approved_by_id == world.supervisor.id
    response = client.post(f"/admin/scores/items/{item.id}/reverse", data={"reason": "误记"})
    assert response.status_code == 302
    assert db_session.scalar(select(func.count()).select_from(ScoreItem)) == 2


def test_command_line_compute_explain_export(app, world, db_session, scored, tmp_path):
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(scores_cli, list(args))

    result = invoke("compute", "2026", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    assert "Run 1" in result.output
    result = invoke("explain", "2026", world.agency_a.name)
    assert result.exit_code == 0 and "timeliness" in result.output and "逾期完成" in result.output
    out = tmp_path / "scores.xlsx"
    result = invoke("export", "2026", "--out", str(out))
    assert result.exit_code == 0 and out.stat().st_size > 0
    result = invoke("explain", "2026", "no such agency")
    assert result.exit_code != 0 and "No agency" in result.output


def test_an_item_carries_its_evidence_file(world, login, db_session, scored):
    client = login(world.supervisor)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    data = {
        "agency_id": world.agency_a.id, "points": "2", "reason": "获评先进",
        "basis": "枣政发〔2026〕1号", "files": (io.BytesIO(pdf), "表彰文件.pdf"),
    }  # fmt: skip
    response = client.post(
        f"/admin/scores/years/{world.year.id}/items", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, form_errors(response.get_data(as_text=True))
    item = db_session.scalar(select(ScoreItem))
    stored = db_session.scalar(select(EvidenceFile).where(EvidenceFile.owner_id == item.id))
    assert stored.owner_type is EvidenceOwner.score_item and stored.filename == "表彰文件.pdf"
    page = client.get(f"/admin/scores/years/{world.year.id}/items").get_data(as_text=True)
    assert "表彰文件.pdf" in page
    bad = {**data, "files": (io.BytesIO(b"MZ not a pdf"), "x.pdf")}
    response = client.post(
        f"/admin/scores/years/{world.year.id}/items", data=bad, content_type="multipart/form-data"
    )
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
    assert db_session.scalar(select(func.count()).select_from(ScoreItem)) == 1
