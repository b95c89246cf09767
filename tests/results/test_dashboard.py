"""The dashboard and the drill-down read the stored run: the ranking with its marks, charts
with a <title> per mark and their data tables, and the figures on the page add back up to
the composite."""

from __future__ import annotations

import io
import re

import defusedxml.ElementTree as ET
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey.results.models import RunRendering
from survey.results.tables import table_csv
from survey.scores.models import RunFinalisation, ScoringRun
from survey.years import services as years

SVG = "{http://www.w3.org/2000/svg}"


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, re.S)


def test_dashboard_ranks_marks_and_draws_each_chart_once(world, login, db_session, run):
    client = login(world.supervisor)
    html = client.get(f"/admin/results/years/{world.year.id}").get_data(as_text=True)
    a, b = world.agency_a, world.agency_b
    assert a.name in html and b.name in html
    row_b = re.search(rf'<tr data-agency="{b.id}"[^>]*>.*?</tr>', html, re.S).group(0)
    assert 'class="not-rated"' in row_b and "不予评定" in row_b  # no targets: not rated
    row_a = re.search(rf'<tr data-agency="{a.id}"[^>]*>.*?</tr>', html, re.S).group(0)
    assert "第1名" in row_a
    charts = svgs(html)
    assert len(charts) >= 2
    caterpillar = ET.fromstring(charts[0])
    titles = [t.text for t in caterpillar.iter(f"{SVG}title")]
    assert any(t.startswith(f"{a.name}: ") for t in titles)  # hover text per agency
    assert not any(t.startswith(f"{b.name}: ") for t in titles)  # not ranked: not drawn
    assert "<script" not in html
    assert 'data-chart="distribution"' in html and "数据表" in html  # the tables beside
    kept = db_session.scalar(
        select(func.count()).select_from(RunRendering).where(RunRendering.run_id == run.id)
    )
    assert kept >= 3  # the ranking and the charts, kept
    again = client.get(f"/admin/results/years/{world.year.id}").get_data(as_text=True)
    assert svgs(again) == charts
    assert (
        db_session.scalar(
            select(func.count()).select_from(RunRendering).where(RunRendering.run_id == run.id)
        )
        == kept
    )


def test_filter_by_kind_and_sort(world, login, run):
    client = login(world.supervisor)
    base = f"/admin/results/years/{world.year.id}"
    orders = [
        re.findall(r'<tr data-agency="(\d+)"', client.get(f"{base}?sort={key}").get_data(True))
        for key in ("name&dir=asc", "name&dir=desc")
    ]
    assert orders[0] == orders[1][::-1] and len(orders[0]) == 2
    none = client.get(f"{base}?kind=court").get_data(as_text=True)
    assert not re.findall(r'<tr data-agency="', none)
    unknown = client.get(f"{base}?kind=<b>&sort=nonsense")
    assert unknown.status_code == 200
    assert client.get(f"{base}?run=99").status_code == 404


def _sum_back(html: str) -> tuple[float, float, list[float]]:
    table = re.search(r"<table data-sum-back>.*?</table>", html, re.S).group(0)
    parts = [float(v) for v in re.findall(r'data-contribution="(-?[\d.]+)"', table)]
    total = float(re.search(r'data-total="(-?[\d.]+)"', table).group(1))
    shown = re.findall(r"<td>(?:<strong>)?([+-]?\d+\.\d\d)(?:</strong>)?</td></tr>", table)
    return total, sum(parts), [float(v) for v in shown]


def test_drill_down_adds_back_up_to_the_composite(world, login, run):
    client = login(world.supervisor)
    url = f"/admin/results/runs/{run.id}/agencies/{world.agency_a.id}"
    html = client.get(url).get_data(as_text=True)
    total, added, shown = _sum_back(html)
    composite = next(r.composite for r in run.agency_results if r.agency_id == world.agency_a.id)
    assert total == round(composite, 6)
    assert abs(added - composite) < 1e-5
    # the rounded figures a person reads add up too (to the rounding of each term)
    *terms, printed_total = shown
    dimension_terms = re.findall(
        r'<tr data-part="(comprehensiveness|timeliness|effectiveness|cooperation|adjustment)"'
        r".*?<td>([+-]?\d+\.\d\d)</td></tr>",
        html,
        re.S,
    )
    assert abs(sum(float(v) for _, v in dimension_terms) - printed_total) <= 0.005 * (
        len(dimension_terms) + 1
    )
    # each survey dimension's groups add up to the dimension's score
    for dimension in ("effectiveness", "cooperation"):
        groups = re.findall(
            rf'data-part="{dimension}-[a-z]+" data-group-contribution="(-?[\d.]+)"', html
        )
        score = re.search(
            rf'<tr data-part="{dimension}" data-contribution="[^"]*"><th scope="row">[^<]*</th>'
            r"<td>([\d.]+)</td>",
            html,
        )
        if groups and score:
            assert abs(sum(float(g) for g in groups) - float(score.group(1))) < 0.006
    # the drill-down reaches the targets and the finding behind the score
    assert "逾期完成" in html and "监管缺位" in html


def test_drill_down_of_an_agency_outside_the_run_is_404(world, login, run):
    client = login(world.supervisor)
    url = f"/admin/results/runs/{run.id}/agencies/{world.agency_c.id}"
    assert client.get(url).status_code == 404


def test_ranking_export_carries_the_checksum_and_is_formula_safe(app, world, login, run):
    client = login(world.supervisor)
    data = client.get(f"/admin/results/runs/{run.id}/ranking.csv").data.decode("utf-8-sig")
    assert run.result_checksum in data and world.agency_a.name in data
    xlsx = load_workbook(io.BytesIO(client.get(f"/admin/results/runs/{run.id}/ranking.xlsx").data))
    cells = [c for row in xlsx.worksheets[0].iter_rows(values_only=True) for c in row]
    assert run.result_checksum in cells and world.agency_a.name in cells
    with app.test_request_context():
        text = table_csv(run, ["名称"], [["=HYPERLINK(1)", 1.0]]).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_trend_against_an_earlier_years_final_run(world, login, db_session, run):
    earlier_year = years.create_year(db_session, None, jurisdiction_id=world.city.id, year=2025)
    db_session.flush()
    columns = [c.key for c in ScoringRun.__table__.columns if c.key not in ("id", "year_id")]
    earlier = ScoringRun(year_id=earlier_year.id, **{c: getattr(run, c) for c in columns})
    db_session.add(earlier)
    db_session.flush()
    db_session.add(
        RunFinalisation(
            run_id=earlier.id, year_id=earlier_year.id, finalised_by_id=world.supervisor.id
        )
    )
    db_session.commit()
    html = login(world.supervisor).get(f"/admin/results/years/{world.year.id}").get_data(True)
    section = html.split('id="trend-heading"', 1)[1].split("</section>", 1)[0]
    assert "<td>2025</td>" in section and "<td>2026</td>" in section
    assert "参加排名单位的平均分 2025:" in section  # a <title> per point
