"""Excel import of the agency list: template, all-or-nothing, every bad row reported."""

from __future__ import annotations

import html as html_lib
import io
import os
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart
from xlsxwriter import Workbook

from survey.agencies.importing import HEADER
from survey.agencies.models import Agency, AgencyKind, Section
from survey.audit.models import AuditEntry
from tests.fixtures.client import form_errors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(rows, header=HEADER) -> bytes:
    buffer = io.BytesIO()
    # As a user's Excel would store them: text stays text, even when it starts with "=".
    book = Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet()
    for number, row in enumerate([header, *rows]):
        if row is not None:
            sheet.write_row(number, 0, row)
    book.close()
    return buffer.getvalue()


def upload(client, data: bytes, filename="agencies.xlsx"):
    return client.post(
        "/admin/agencies/import",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def agency_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(Agency))


def reported(response) -> list[tuple[str, str]]:
    """(row, problem) pairs of the page's error table."""
    page = response.get_data(as_text=True)
    return [
        (row, html_lib.unescape(message))
        for row, message in re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    ]


GOOD_ROWS = [
    ("测试市丁局", "丁局", "行政机关", "测试市", "办公室;*审批科;*执法科"),
    ("测试市妇联", "", "群团机关", "测试市", "办公室；*权益部"),  # full-width semicolon
    ("测试区法院", "区法院", "审判机关", "测试区", ""),
]


# --- the template --------------------------------------------------------------------------


def test_template_is_a_real_workbook_with_the_header(world, login):
    response = login(world.supervisor).get("/admin/agencies/import/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][: len(HEADER)] == HEADER
    notes = " ".join(str(row[0]) for row in book.worksheets[1].iter_rows(values_only=True))
    assert "测试市" in notes and "测试区" in notes and "行政机关" in notes
    book.close()


def test_the_filled_in_template_imports(world, login, db_session):
    client = login(world.supervisor)
    template = client.get("/admin/agencies/import/template.xlsx").data

    # As downloaded it has no rows: its example is on the help sheet, never imported.
    response = upload(client, template)
    assert response.status_code == 200 and len(reported(response)) == 1
    assert agency_count(db_session) == 3

    book = load_workbook(io.BytesIO(template))
    book.worksheets[0].append(["测试市新局", "新局", "行政机关", "测试区", "*业务科"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert upload(client, buffer.getvalue()).status_code == 302
    agency = db_session.scalar(select(Agency).where(Agency.name == "测试市新局"))
    assert agency.jurisdiction_id == world.district.id


def test_import_page_renders(world, login):
    response = login(world.supervisor).get("/admin/agencies/import")
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.get_data(as_text=True)


# --- good files ----------------------------------------------------------------------------


def test_a_good_workbook_imports_every_row_with_its_sections(world, login, db_session):
    client = login(world.supervisor)
    response = upload(client, workbook(GOOD_ROWS))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/agencies/")
    assert agency_count(db_session) == 6

    imported = {
        a.name: a
        for a in db_session.scalars(
            select(Agency).where(Agency.name.in_([r[0] for r in GOOD_ROWS]))
        )
    }
    ding = imported["测试市丁局"]
    assert (ding.short_name, ding.kind, ding.jurisdiction_id) == (
        "丁局",
        AgencyKind.government,
        world.city.id,
    )
    assert [(s.name, s.is_business) for s in ding.sections] == [
        ("办公室", False),
        ("审批科", True),
        ("执法科", True),
    ]
    assert [(s.name, s.is_business) for s in imported["测试市妇联"].sections] == [
        ("办公室", False),
        ("权益部", True),
    ]
    court = imported["测试区法院"]
    assert (court.kind, court.jurisdiction_id, court.sections) == (
        AgencyKind.court,
        world.district.id,
        [],
    )
    listing = client.get("/admin/agencies/").get_data(as_text=True)
    assert all(name in listing for name in imported)

    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.actor_id == world.supervisor.id)
    ).all()
    assert actions.count("agency.create") == 3 and actions.count("section.create") == 5


def test_blank_rows_are_skipped(world, login, db_session):
    rows = [GOOD_ROWS[0], None, ("", "", "", "", ""), GOOD_ROWS[1]]
    assert upload(login(world.supervisor), workbook(rows)).status_code == 302
    assert agency_count(db_session) == 5


def test_kind_may_be_given_by_its_code(world, login, db_session):
    rows = [("测试市戊局", "", "procuratorate", "测试市", "")]
    assert upload(login(world.supervisor), workbook(rows)).status_code == 302
    agency = db_session.scalar(select(Agency).where(Agency.name == "测试市戊局"))
    assert agency.kind is AgencyKind.procuratorate


def test_a_cell_starting_with_equals_is_text(world, login, db_session):
    rows = [('=HYPERLINK("http://evil.example","点我")', "=1+2", "行政机关", "测试市", "*=A1")]
    client = login(world.supervisor)
    assert upload(client, workbook(rows)).status_code == 302
    agency = db_session.scalar(select(Agency).where(Agency.name.startswith("=")))
    assert agency.name == '=HYPERLINK("http://evil.example","点我")'
    assert agency.short_name == "=1+2"
    assert [(s.name, s.is_business) for s in agency.sections] == [("=A1", True)]
    page = client.get(f"/admin/agencies/{agency.id}").get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://evil.example&#34;" in page


def test_a_deleted_agency_does_not_block_its_name(world, login, db_session):
    client = login(world.supervisor)
    client.post(f"/admin/agencies/{world.agency_b.id}/delete", data={"confirmed": "1"})
    rows = [("测试市乙局", "乙局", "行政机关", "测试市", "办公室")]
    assert upload(client, workbook(rows)).status_code == 302
    assert agency_count(db_session) == 4


# --- bad files: nothing is imported --------------------------------------------------------


def test_one_bad_row_of_each_kind_imports_nothing_and_lists_every_row(world, login, db_session):
    rows = [
        GOOD_ROWS[0],  # row 2: fine
        ("测试市庚局", "", "神秘机关", "测试市", ""),  # row 3: unknown kind
        ("测试市辛局", "", "行政机关", "火星市", ""),  # row 4: unknown jurisdiction
        ("测试市丁局", "", "行政机关", "测试市", ""),  # row 5: same as row 2
        ("测试市甲局", "", "行政机关", "测试市", ""),  # row 6: already exists
        ("", "无名", "行政机关", "测试市", ""),  # row 7: no name
        ("测试市壬局", "", "行政机关", "测试市", "办公室;办公室"),  # row 8: section twice
        GOOD_ROWS[2],  # row 9: fine
    ]
    response = upload(login(world.supervisor), workbook(rows))
    assert response.status_code == 200
    problems = reported(response)
    assert [row for row, _ in problems] == ["3", "4", "5", "6", "7", "8"]
    messages = dict(problems)
    assert "神秘机关" in messages["3"]
    assert "火星市" in messages["4"]
    assert "2" in messages["5"]  # points at the first occurrence
    assert "办公室" in messages["8"]
    assert agency_count(db_session) == 3
    assert db_session.scalar(select(func.count()).select_from(Section)) == 6


def test_a_row_with_several_problems_lists_each(world, login, db_session):
    rows = [("", "", "神秘机关", "火星市", "")]
    response = upload(login(world.supervisor), workbook(rows))
    assert [row for row, _ in reported(response)] == ["2", "2", "2"]
    assert agency_count(db_session) == 3


def test_too_long_names_are_reported(world, login, db_session):
    rows = [("长" * 101, "短" * 51, "行政机关", "测试市", "科" * 101)]
    response = upload(login(world.supervisor), workbook(rows))
    assert [row for row, _ in reported(response)] == ["2", "2", "2"]
    assert agency_count(db_session) == 3


def test_a_wrong_header_is_reported(world, login, db_session):
    data = workbook([GOOD_ROWS[0]], header=("名称", "简称", "类别", "区域", "科室"))
    response = upload(login(world.supervisor), data)
    assert [row for row, _ in reported(response)] == ["1"]
    assert agency_count(db_session) == 3


def test_a_workbook_without_rows_is_reported(world, login, db_session):
    response = upload(login(world.supervisor), workbook([]))
    assert response.status_code == 200 and len(reported(response)) == 1
    assert agency_count(db_session) == 3


def test_district_office_cannot_import_into_the_city(world, login, db_session):
    rows = [
        ("测试市癸局", "", "行政机关", "测试市", ""),
        ("测试区癸局", "", "行政机关", "测试区", ""),
    ]
    response = upload(login(world.district_supervisor), workbook(rows))
    assert [row for row, _ in reported(response)] == ["2"]
    assert agency_count(db_session) == 3


@pytest.mark.parametrize(
    "data",
    [
        b"this is a plain text file, not a workbook",
        b"PK\x03\x04 but not really a zip archive",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,  # an old .xls
    ],
    ids=["text", "broken-zip", "xls"],
)
def test_bytes_that_are_not_xlsx_are_refused(world, login, db_session, data):
    response = upload(login(world.supervisor), data)
    assert response.status_code == 200
    problems = reported(response)
    assert len(problems) == 1 and problems[0][0] == "—"
    assert agency_count(db_session) == 3


def test_a_zip_that_is_not_a_workbook_is_refused(world, login, db_session):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "不是表格")
    response = upload(login(world.supervisor), buffer.getvalue())
    assert response.status_code == 200 and len(reported(response)) == 1
    assert agency_count(db_session) == 3


def test_a_zip_bomb_is_refused_before_parsing(world, login, db_session):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    response = upload(login(world.supervisor), buffer.getvalue())
    assert response.status_code == 200 and len(reported(response)) == 1
    assert agency_count(db_session) == 3


def test_an_oversized_upload_gets_the_413_page(world, login, db_session):
    client = login(world.supervisor)
    # Encoded here, in memory: the test client would spool a body this large to a temporary
    # file that it never closes (a ResourceWarning, an error under filterwarnings).
    boundary, body = encode_multipart(
        {
            "csrf_token": client.csrf_token(),
            "file": FileStorage(io.BytesIO(os.urandom(6 * 1024 * 1024)), "big.xlsx"),
        }
    )
    response = client.post(
        "/admin/agencies/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Referer": "https://localhost/"},
        csrf=False,  # the token is in the body already
    )
    assert response.status_code == 413
    assert "413" in response.get_data(as_text=True)
    assert agency_count(db_session) == 3


def test_no_file_is_a_field_error(world, login):
    response = login(world.supervisor).post("/admin/agencies/import", data={})
    assert response.status_code == 200 and form_errors(response.get_data(as_text=True))
