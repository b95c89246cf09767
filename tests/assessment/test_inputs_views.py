"""The inputs page and its CSV downloads: who may read them, what they show, and cells that a
spreadsheet will not run as formulas."""

from __future__ import annotations

import csv
import io
import re

import pytest

from survey.assessment import views
from tests.assessment.conftest import FORMULA_SECTION, FORMULA_TITLE, TODAY

ENGLISH = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr(views, "beijing_today", lambda: TODAY)


def page_url(world) -> str:
    return f"/admin/assessment/{world.year.id}/inputs"


def csv_url(world, table) -> str:
    return f"/admin/assessment/{world.year.id}/inputs.csv?table={table}"


def read_csv(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_page_shows_both_tables(login, world, scene):
    response = login(world.supervisor).get(page_url(world), headers=ENGLISH)
    assert response.status_code == 200
    page = response.get_data(as_text=True)

    outcomes = dict(re.findall(r'<tr data-target="(\d+)" data-outcome="(\w+)">', page))
    assert outcomes == {
        str(scene.on_deadline): "on_time",
        str(scene.early): "on_time",
        str(scene.late): "late",
        str(scene.partly): "not_done",
        str(scene.unassessed): "not_done",
        str(scene.due_today): "open",
        str(scene.later): "open",
    }
    counts = re.search(rf'<tr data-counts="{world.agency_a.id}">(.*?)</tr>', page).group(1)
    assert re.findall(r"<td>([^<]*)</td>", counts) == ["测试市甲局", "2", "1", "2", "2", "7"]
    assert "已撤回" not in page and "待审目标" not in page
    assert "&#34;" in page or "&quot;" in page  # the formula-like title is escaped HTML

    coverage = re.search(rf'<tr data-coverage="{world.agency_a.id}">(.*?)</tr>', page, re.S)
    cells = re.findall(r"<td>(.*?)</td>", coverage.group(1), re.S)
    assert cells[2:4] == ["7", "2 / 5"]
    assert cells[5:] == ["业务一科", FORMULA_SECTION, "2", "1", "0", "1", "1", "1"]
    assert f'data-coverage="{world.agency_b.id}"' in page
    assert f'data-coverage="{world.agency_c.id}"' not in page
    assert page.count(f'data-finding="{world.agency_a.id}"') == 3
    assert "监管缺位" in page


def test_timeliness_csv(login, world, scene):
    response = login(world.supervisor).get(csv_url(world, "timeliness"), headers=ENGLISH)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header == [
        "Agency",
        "Target",
        "Deadline",
        "Completed on",
        "Timeliness result",
        "Days late",
    ]
    by_title = {row[1]: row for row in rows}
    assert len(rows) == 7
    assert by_title["逾期完成"] == [
        "测试市甲局",
        "逾期完成",
        "2026-03-31",
        "2026-04-10",
        "Late",
        "10",
    ]
    assert by_title["部分完成"] == ["测试市甲局", "部分完成", "2026-05-01", "", "Not done", "45"]
    assert by_title["今日到期"][4:] == ["Not yet due", "0"]
    assert by_title["按期完成"][4:] == ["On time", "0"]
    # the formula-like title is written as text
    assert "'" + FORMULA_TITLE in by_title
    assert FORMULA_TITLE not in by_title


def test_comprehensiveness_csv(login, world, scene):
    response = login(world.viewer).get(csv_url(world, "comprehensiveness"), headers=ENGLISH)
    assert response.status_code == 200
    header, a, b = read_csv(response)
    assert header[:7] == [
        "Agency",
        "Target set",
        "Targets",
        "Categories covered",
        "Categories missing",
        "Business sections covered",
        "Business sections missing",
    ]
    assert header[-1] == "Duty findings"
    assert a[0] == "测试市甲局"
    assert a[1:3] == ["Approved", "7"]
    assert a[3].split("; ") == [
        "Key work of the Party committee and government",
        "Core duties (主责主业)",
    ]
    assert len(a[4].split("; ")) == 3
    assert a[5] == "业务一科"
    assert a[6] == "'" + FORMULA_SECTION  # formula-safe
    assert a[7:13] == ["2", "1", "0", "1", "1", "1"]
    assert a[13].splitlines() == [
        "Overreach (越位) / Minor: 多头审批",
        "Overreach (越位) / Serious: 越权检查",
        "Absence (缺位) / Moderate: 监管缺位",
    ]
    assert b[:3] == ["测试市乙局", "Submitted for approval", "1"]
    assert b[6] == "业务一科"
    assert b[13] == ""


def test_unknown_table_is_not_found_and_none_means_timeliness(login, world, scene):
    client = login(world.supervisor)
    assert client.get(csv_url(world, "scores")).status_code == 404
    no_table = client.get(f"/admin/assessment/{world.year.id}/inputs.csv")
    assert no_table.status_code == 200
    assert no_table.data == client.get(csv_url(world, "timeliness")).data


def test_viewer_may_read(login, world, scene):
    client = login(world.viewer)
    assert client.get(page_url(world)).status_code == 200
    assert client.get(csv_url(world, "timeliness")).status_code == 200


def test_district_supervisor_cannot_see_the_city_year(login, world, scene):
    client = login(world.district_supervisor)
    assert client.get(page_url(world)).status_code == 404
    assert client.get(csv_url(world, "timeliness")).status_code == 404
    assert client.get(csv_url(world, "comprehensiveness")).status_code == 404


def test_unknown_year_is_not_found(login, world):
    assert login(world.supervisor).get("/admin/assessment/999999/inputs").status_code == 404


def test_agency_editor_is_refused(login, world, scene):
    client = login(world.editor_a)
    assert client.get(page_url(world)).status_code == 403
    assert client.get(csv_url(world, "timeliness")).status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(page_url(world))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_empty_year_renders(login, world):
    response = login(world.supervisor).get(page_url(world), headers=ENGLISH)
    assert response.status_code == 200
    assert "No approved targets in this year." in response.get_data(as_text=True)
    header, *rows = read_csv(login(world.supervisor).get(csv_url(world, "comprehensiveness")))
    assert rows == []
