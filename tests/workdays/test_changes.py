"""Importing a notice and correcting one day: who may, what is refused, what is audited."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from sqlalchemy import select
from xlsxwriter import Workbook

from survey.audit.models import AuditEntry
from survey.workdays.models import CalendarDay, CalendarYear
from survey.workdays.queries import calendar_for

ENGLISH = {"Accept-Language": "en"}
NOTICE_2027 = {
    "year": 2027,
    "papers": ["https://www.gov.cn/zhengce/2027-notice"],
    "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": True},
        {"name": "春节", "date": "2027-02-05", "isOffDay": True},
        {"name": "春节", "date": "2027-02-08", "isOffDay": True},
        {"name": "春节", "date": "2027-02-09", "isOffDay": True},
        {"name": "春节", "date": "2027-02-10", "isOffDay": True},
        {"name": "春节", "date": "2027-02-11", "isOffDay": True},
        {"name": "春节", "date": "2027-02-20", "isOffDay": False},
    ],
}


def upload(client, notice, *, name="2027.json", year=2027):
    data = notice if isinstance(notice, bytes) else json.dumps(notice).encode()
    return client.post(
        "/admin/calendar/import",
        data={"year": str(year), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=ENGLISH,
    )


def xlsx(rows) -> bytes:
    buffer = io.BytesIO()
    book = Workbook(buffer)
    sheet = book.add_worksheet()
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    book.close()
    return buffer.getvalue()


def test_importing_a_json_notice_replaces_the_year(world, login, db_session):
    response = upload(login(world.supervisor), NOTICE_2027)
    assert response.status_code == 302, response.get_data(as_text=True)
    db_session.expire_all()
    held = db_session.get(CalendarYear, 2027)
    assert not held.is_provisional
    assert held.source == "import: 2027.json"
    assert db_session.get(CalendarDay, dt.date(2027, 2, 20)).is_working_day  # a Saturday
    assert not db_session.get(CalendarDay, dt.date(2027, 2, 11)).is_working_day
    # a day the file does not list follows the week
    assert db_session.get(CalendarDay, dt.date(2027, 2, 12)).is_working_day
    assert not calendar_for(db_session, [2027]).is_provisional(dt.date(2027, 3, 1))
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.import"))
    assert entry.actor_id == world.supervisor.id and entry.entity_id == 2027
    assert entry.before == {
        "source": "holidays 0.108 (statutory holidays only)",
        "is_provisional": True,
    }
    assert entry.after["days"]["2027-02-20"] == ["春节", False]


def test_importing_an_excel_notice(world, login, db_session):
    data = xlsx(
        [
            ["日期", "名称", "休息/上班"],
            ["2028-01-03", "元旦", "休息"],
            ["2028-01-08", "调休", "上班"],
        ]
    )
    response = upload(login(world.supervisor), data, name="2028.xlsx", year=2028)
    assert response.status_code == 302, response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(CalendarYear, 2028) is not None
    assert not db_session.get(CalendarDay, dt.date(2028, 1, 3)).is_working_day
    assert db_session.get(CalendarDay, dt.date(2028, 1, 8)).is_working_day


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([{"name": "元旦", "date": "2027-01-01", "isOffDay": True}] * 2, "listed twice"),
        ([{"name": "元旦", "date": "2026-12-31", "isOffDay": True}], "is not in 2027"),
        ([{"name": "元旦", "date": "2027-13-01", "isOffDay": True}], "is not a date"),
        ([{"name": "元旦", "date": "2027-01-01", "isOffDay": "yes"}], "rest day or a working"),
        ([], "lists no days"),
    ],
)
def test_a_bad_notice_imports_nothing(world, login, db_session, days, message):
    response = upload(login(world.supervisor), {**NOTICE_2027, "days": days})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(CalendarYear, 2027).is_provisional
    assert (
        db_session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.import")) is None
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"{not json", "2027.json", "not valid JSON"),
        (json.dumps({"year": 2026, "days": []}).encode(), "2027.json", "is for 2026, not 2027"),
        (b"x", "2027.csv", "Upload a .json or an .xlsx file"),
        (xlsx([["Date", "x"]]), "2027.xlsx", "The first row must be"),
        (b"PK\x03\x04broken", "2027.xlsx", "not an Excel .xlsx workbook"),
    ],
)
def test_unreadable_files_are_refused(world, login, db_session, data, name, message):
    response = upload(login(world.supervisor), data, name=name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_only_the_top_level_office_changes_the_calendar(world, login, db_session):
    client = login(world.district_supervisor)
    assert client.get("/admin/calendar/").status_code == 200
    assert upload(client, NOTICE_2027).status_code == 403
    correction = {"day": "2026-10-09", "kind": "rest", "name": "x", "notice": "y"}
    assert client.post("/admin/calendar/2026/correct", data=correction).status_code == 403


def test_correcting_one_day_is_audited(world, login, db_session):
    client = login(world.supervisor)
    before = calendar_for(db_session, [2026]).add_working_days(dt.date(2026, 10, 8), 1)
    assert before == dt.date(2026, 10, 9)
    response = client.post(
        "/admin/calendar/2026/correct",
        data={
            "day": "2026-10-09",
            "kind": "rest",
            "name": "国庆节",
            "notice": "国办发明电〔2026〕X号（延长假期）",
        },
        headers=ENGLISH,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db_session.expire_all()
    day = db_session.get(CalendarDay, dt.date(2026, 10, 9))
    assert (day.is_working_day, day.is_exception, day.corrected_at is not None) == (
        False,
        True,
        True,
    )
    assert calendar_for(db_session, [2026]).add_working_days(dt.date(2026, 10, 8), 1) == dt.date(
        2026, 10, 10
    )
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.correct"))
    assert entry.entity_id == 20261009
    assert entry.before["is_working_day"] is True and entry.after["is_working_day"] is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "2026-10-09", "kind": "work", "name": "", "notice": "x"}, "already reads"),
        ({"day": "2025-10-09", "kind": "rest", "name": "", "notice": "x"}, "not in 2026"),
        ({"day": "2026-10-09", "kind": "rest", "name": "", "notice": ""}, "This field is required"),
    ],
)
def test_bad_corrections_are_refused(world, login, db_session, data, message):
    response = login(world.supervisor).post(
        "/admin/calendar/2026/correct", data=data, headers=ENGLISH
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert (
        db_session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.correct")) is None
    )


def test_pages_show_sources_and_the_provisional_mark(world, login):
    client = login(world.viewer)
    html = client.get("/admin/calendar/", headers=ENGLISH).get_data(as_text=True)
    assert "holidays 0.108" in html and "Provisional" in html
    year = client.get("/admin/calendar/2026", headers=ENGLISH).get_data(as_text=True)
    assert "调休上班" in year and "248" in year
    assert client.get("/admin/calendar/1999").status_code == 404
