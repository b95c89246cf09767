"""The dashboard's other tables as .xlsx and CSV: each opens, holds the stored run's figures,
names the run by its checksum on every sheet, and never lets a cell run as a formula; the
ranking filtered by jurisdiction."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from survey.results.tables import tables_csv, tables_xlsx


def _sheets(client, run, table: str) -> list[list[tuple]]:
    response = client.get(f"/admin/results/runs/{run.id}/{table}.xlsx")
    assert response.status_code == 200
    assert f"filename={table}-" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    return [list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets]


def _csv(client, run, table: str) -> list[list[str]]:
    response = client.get(f"/admin/results/runs/{run.id}/{table}.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def _close(a, b) -> bool:
    return a is None and b is None or abs(float(a) - float(b)) < 1e-9


def _groups_of(run, agency_id):
    agency = next(a for a in run.result_data()["agencies"] if a["agency_id"] == agency_id)
    return [
        (d["dimension"], g)
        for d in agency["engine"]["dimensions"]
        for g in d.get("groups", [])
        if g.get("present")
    ]


def test_each_export_opens_with_the_checksum_on_every_sheet(world, login, run):
    client = login(world.supervisor)
    for table in ("dimensions", "groups", "items", "quality"):
        sheets = _sheets(client, run, table)
        assert sheets and all(run.result_checksum in sheet[-1] for sheet in sheets), table
        rows = _csv(client, run, table)
        assert rows[-1][-1] == run.result_checksum, table
    assert len(_sheets(client, run, "quality")) == 4  # responses, short, reliability, flags
    assert client.get(f"/admin/results/runs/{run.id}/nonsense.csv").status_code == 404


def test_dimensions_export_holds_the_runs_scores(world, login, run):
    client = login(world.supervisor)
    [sheet] = _sheets(client, run, "dimensions")
    stored = next(a for a in run.result_data()["agencies"] if a["agency_id"] == world.agency_a.id)
    mine = [row for row in sheet[1:] if row[0] == world.agency_a.name]
    assert len(mine) == len(stored["dimensions"])
    effectiveness = next(row for row in mine if row[2] == "履职成效度")
    assert _close(effectiveness[3], stored["dimensions"]["effectiveness"]["score"])
    assert _close(effectiveness[4], stored["dimensions"]["effectiveness"]["ci_low"])


def test_groups_and_items_exports_hold_the_stored_cells(world, login, run):
    client = login(world.supervisor)
    [groups] = _sheets(client, run, "groups")
    cells = _groups_of(run, world.agency_a.id)
    assert cells
    mine = [row for row in groups[1:] if row[0] == world.agency_a.name]
    assert len(mine) == len(cells)
    for row, (_dimension, g) in zip(mine, cells, strict=True):
        assert row[4] == g["n"]
        for column, key in ((6, "mean"), (7, "trimmed_mean"), (8, "score"), (9, "score_ci_low")):
            assert _close(row[column], g.get(key)), key
        assert (row[12] == "是") == bool(g.get("low_confidence"))
    [items] = _sheets(client, run, "items")
    stored = [i for _dimension, g in cells for i in g.get("items", [])]
    mine = [row for row in items[1:] if row[0] == world.agency_a.name]
    assert stored and len(mine) == len(stored)
    assert [(row[3], row[5]) for row in mine] == [(i["item_id"], i["n"]) for i in stored]
    assert all(_close(row[6], i["mean"]) for row, i in zip(mine, stored, strict=True))
    texts = run.result_data()["item_texts"]
    worded = [row for row in mine if row[3] in texts.get("public", {})]
    assert worded and all(row[4] == texts["public"][row[3]] for row in worded)  # its wording


def test_quality_export_holds_the_pages_tables(world, login, run):
    client = login(world.supervisor)
    responses, _short, reliability, _flags = _sheets(client, run, "quality")
    tables = run.result_data()["engine"]["tables"]
    assert [row[1] for row in responses[1 : 1 + len(tables["responses"])]] == [
        r["received"] for r in tables["responses"]
    ]
    assert len(reliability) == len(tables["reliability"]) + 3  # header, blank, checksum
    html = client.get(f"/admin/results/runs/{run.id}/quality").get_data(as_text=True)
    assert f"/admin/results/runs/{run.id}/quality.xlsx" in html


def test_exports_neutralise_formulas(app, run):
    tables = [("表", ["名称", "=SUM(1)"], [["=HYPERLINK(1)", 1.0, None]])]
    with app.test_request_context():
        text = tables_csv(run, tables).decode("utf-8-sig")
        book = load_workbook(io.BytesIO(tables_xlsx(run, tables)))
    assert "'=HYPERLINK(1)" in text and "'=SUM(1)" in text
    cell = book.worksheets[0]["A2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"  # text, not a formula


def test_filter_by_jurisdiction(world, login, db_session, run):
    world.agency_b.jurisdiction_id = world.district.id
    db_session.commit()
    client = login(world.supervisor)
    base = f"/admin/results/years/{world.year.id}"
    html = client.get(base).get_data(as_text=True)
    options = re.search(r'<select id="jurisdiction".*?</select>', html, re.S).group(0)
    assert world.city.name in options and world.district.name in options
    assert "/dimensions.xlsx" in html and "/items.csv" in html
    only = client.get(f"{base}?jurisdiction={world.district.id}").get_data(as_text=True)
    assert re.findall(r'<tr data-agency="(\d+)"', only) == [str(world.agency_b.id)]
    exported = client.get(
        f"/admin/results/runs/{run.id}/ranking.csv?jurisdiction={world.city.id}"
    ).data.decode("utf-8-sig")
    assert world.agency_a.name in exported and world.agency_b.name not in exported
    unknown = client.get(f"{base}?jurisdiction=99999").get_data(as_text=True)
    assert len(re.findall(r'<tr data-agency="', unknown)) == 2


def test_jurisdiction_select_hidden_with_one_place(world, login, run):
    html = login(world.supervisor).get(f"/admin/results/years/{world.year.id}").get_data(True)
    assert 'id="jurisdiction"' not in html
