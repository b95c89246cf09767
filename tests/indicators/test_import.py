"""Public-indicator scores from Excel: every row checked and reported with its number, nothing
imported when any row is bad, only agencies of the year's own jurisdiction, the same file never
imported twice, a later import superseding an earlier score while both rows stay on record."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from survey.audit.models import AuditEntry
from survey.indicators.models import IndicatorImport, PublicIndicatorScore
from survey.years import services as years
from tests.fixtures.spreadsheets import xlsx_bytes

HEADER = ["被评价单位", "指标", "考核单位", "得分", "满分"]
ENGLISH = {"Accept-Language": "en"}  # source strings: stable while translations change


def workbook(rows, header=HEADER) -> bytes:
    return xlsx_bytes(header, rows)


def upload(client, year, data: bytes, name="scores.xlsx"):
    return client.post(
        f"/admin/indicators/{year.id}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        headers=ENGLISH,
    )


def error_rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", html)


def stored(db_session, year) -> list[PublicIndicatorScore]:
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(PublicIndicatorScore)
            .where(PublicIndicatorScore.year_id == year.id)
            .order_by(PublicIndicatorScore.id)
        )
    )


def imports(db_session, year) -> int:
    return db_session.scalar(
        select(func.count(IndicatorImport.id)).where(IndicatorImport.year_id == year.id)
    )


def test_template_has_the_columns_and_the_years_agencies(world, login):
    response = login(world.supervisor).get(f"/admin/indicators/{world.year.id}/template.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert [c.value for c in book.worksheets[0][1]] == HEADER
    assert book.sheetnames[1] == "单位名单"
    names = [row for row in book["单位名单"].iter_rows(min_row=2, values_only=True)]
    assert names == [(world.agency_a.name, "甲局"), (world.agency_b.name, "乙局")]


def test_a_good_file_is_imported_audited_and_shown(db_session, world, login):
    data = workbook(
        [
            [world.agency_a.name, "党建工作", "市委组织部", 92.5, 100],
            ["乙局", "党建工作", "市委组织部", "88", "100"],  # a short name will do
            [None, None, None, None, None],  # an empty row is skipped
            [world.agency_a.name, "预算绩效", "市财政局", 9, 10],
        ]
    )
    client = login(world.supervisor)
    response = upload(client, world.year, data)
    assert response.status_code == 302, error_rows(response.get_data(as_text=True))
    assert response.headers["Location"].endswith(f"/admin/indicators/{world.year.id}")
    rows = stored(db_session, world.year)
    assert [(r.agency_id, r.indicator, r.source, r.score, r.max_score) for r in rows] == [
        (world.agency_a.id, "党建工作", "市委组织部", Decimal("92.5"), Decimal(100)),
        (world.agency_b.id, "党建工作", "市委组织部", Decimal(88), Decimal(100)),
        (world.agency_a.id, "预算绩效", "市财政局", Decimal(9), Decimal(10)),
    ]
    batch = db_session.scalar(select(IndicatorImport))
    assert (batch.row_count, batch.filename, batch.imported_by_id) == (
        3,
        "scores.xlsx",
        world.supervisor.id,
    )
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "indicators.import"))
    assert (entry.entity_type, entry.entity_id) == ("indicator_imports", batch.id)
    assert entry.jurisdiction_id == world.city.id
    assert entry.after["rows"] == 3 and entry.after["agencies"] == 2
    assert entry.after["superseded"] == 0

    page = client.get(response.headers["Location"], headers=ENGLISH).get_data(as_text=True)
    assert "3 public-indicator scores imported." in page
    assert f'data-score="{world.agency_a.id}:党建工作">92.5 / 100<' in page
    assert f'data-score="{world.agency_b.id}:党建工作">88 / 100<' in page
    assert "市财政局" in page and "scores.xlsx" in page


def test_every_bad_row_is_reported_and_nothing_is_imported(db_session, world, login):
    a = world.agency_a.name
    rows = [
        [a, "党建工作", "市委组织部", 90, 100],  # 2: good
        ["不存在的局", "党建工作", "市委组织部", 90, 100],  # 3: unknown agency
        [world.agency_c.name, "党建工作", "区委组织部", 90, 100],  # 4: a district agency
        [None, "党建工作", "市委组织部", 90, 100],  # 5: agency missing
        [a, None, "市委组织部", 90, 100],  # 6: indicator missing
        [a, "指" * 101, "市委组织部", 90, 100],  # 7: indicator too long
        [a, "政务公开", None, 90, 100],  # 8: source missing
        [a, "政务公开", "市政府办", "优秀", 100],  # 9: score not a number
        [a, "政务公开", "市政府办", 90, "满分"],  # 10: full score not a number
        [a, "政务公开", "市政府办", 101, 100],  # 11: score above the full score
        [a, "政务公开", "市政府办", -1, 100],  # 12: negative score
        [a, "精神文明", "市文明办", 0, 0],  # 13: full score not positive
        [a, "党建工作", "市纪委", 80, 100],  # 14: same agency + indicator as row 2
        ["甲局", "党建工作", "市纪委", 80, 100],  # 15: the same again, by short name
        [a, "宣传", "市委宣传部", "９０", 100],  # 16: full-width digits are not a number
    ]
    response = upload(login(world.supervisor), world.year, workbook(rows))
    assert response.status_code == 200
    by_row: dict[str, list[str]] = {}
    for row, message in error_rows(response.get_data(as_text=True)):
        by_row.setdefault(row, []).append(message)
    assert sorted(by_row, key=int) == [str(n) for n in range(3, 17)]
    assert by_row["3"] == ["&#39;不存在的局&#39; is not an agency of this year&#39;s jurisdiction."]
    assert by_row["4"] == [
        f"&#39;{world.agency_c.name}&#39; is not an agency of this year&#39;s jurisdiction."
    ]
    assert by_row["5"] == ["The agency is missing."]
    assert by_row["6"] == ["指标 is missing."]
    assert by_row["7"] == ["指标 is longer than 100 characters."]
    assert by_row["8"] == ["考核单位 is missing."]
    assert by_row["9"] == ["得分 &#39;优秀&#39; is not a number."]
    assert by_row["10"] == ["满分 &#39;满分&#39; is not a number."]
    assert by_row["11"] == ["The score is higher than the full score."]
    assert by_row["12"] == ["The score cannot be negative."]
    assert by_row["13"] == ["The full score must be more than 0."]
    assert by_row["14"] == by_row["15"] == ["The same agency and indicator are already on row 2."]
    assert by_row["16"] == ["得分 &#39;９０&#39; is not a number."]
    assert stored(db_session, world.year) == [] and imports(db_session, world.year) == 0


def test_a_short_name_shared_by_two_agencies_is_refused(app, db_session, world, login):
    from survey.agencies import services as agencies
    from survey.agencies.models import AgencyKind

    with app.app_context():
        agencies.create_agency(
            db_session,
            None,
            jurisdiction_id=world.city.id,
            name="测试市另一个甲局",
            short_name="甲局",
            kind=AgencyKind.government,
        )
        db_session.commit()
    data = workbook([["甲局", "党建工作", "市委组织部", 90, 100]])
    errors = error_rows(upload(login(world.supervisor), world.year, data).get_data(as_text=True))
    assert errors == [
        ("2", "&#39;甲局&#39; is the short name of several agencies; use the full name.")
    ]


def test_the_same_file_is_imported_once(db_session, world, login):
    data = workbook([[world.agency_a.name, "党建工作", "市委组织部", 90, 100]])
    client = login(world.supervisor)
    assert upload(client, world.year, data).status_code == 302
    again = upload(client, world.year, data, name="renamed.xlsx")
    assert again.status_code == 200
    assert ("—", "This file has already been imported.") in error_rows(again.get_data(as_text=True))
    assert len(stored(db_session, world.year)) == 1 and imports(db_session, world.year) == 1


def test_a_later_import_supersedes_and_keeps_the_earlier_score(app, db_session, world, login):
    client = login(world.supervisor)
    first = workbook(
        [
            [world.agency_a.name, "党建工作", "市委组织部", 80, 100],
            [world.agency_b.name, "党建工作", "市委组织部", 70, 100],
        ]
    )
    second = workbook([[world.agency_a.name, "党建工作", "市委组织部（复核）", 85, 100]])
    assert upload(client, world.year, first).status_code == 302
    assert upload(client, world.year, second).status_code == 302
    assert [r.score for r in stored(db_session, world.year)] == [80, 70, 85]

    from survey.indicators.importing import current_scores

    current = {(s.agency_id, s.score, s.source) for s in current_scores(db_session, world.year)}
    assert current == {
        (world.agency_a.id, Decimal(85), "市委组织部（复核）"),
        (world.agency_b.id, Decimal(70), "市委组织部"),
    }
    page = client.get(f"/admin/indicators/{world.year.id}").get_data(as_text=True)
    assert f'data-score="{world.agency_a.id}:党建工作">85 / 100<' in page
    entry = db_session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "indicators.import")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.after["superseded"] == 1


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("被评价单位,指标\n".encode(), "scores.csv", "The file is not an Excel .xlsx workbook."),
        (None, "scores.xlsx", "The columns must be: 被评价单位 | 指标 | 考核单位 | 得分 | 满分"),
        (b"", "scores.xlsx", "The workbook has no score rows."),
    ],
)
def test_wrong_files_are_refused_with_a_message(db_session, world, login, data, name, message):
    if data is None:
        data = workbook(
            [[world.agency_a.name, "党建工作", 90, 100]], header=HEADER[:2] + HEADER[3:]
        )
    elif data == b"":
        data = workbook([])
    response = upload(login(world.supervisor), world.year, data, name=name)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert imports(db_session, world.year) == 0


def test_a_closed_year_takes_no_import(app, db_session, world, login):
    with app.app_context():
        years.open_year(db_session, None, world.year)
        years.close_year(db_session, None, world.year)
        db_session.commit()
    data = workbook([[world.agency_a.name, "党建工作", "市委组织部", 90, 100]])
    client = login(world.supervisor)
    assert "nothing can be imported" in client.get(
        f"/admin/indicators/{world.year.id}/import", headers=ENGLISH
    ).get_data(as_text=True)
    response = upload(client, world.year, data)
    assert response.status_code == 200
    assert "This year is closed; nothing can be imported." in response.get_data(as_text=True)
    assert imports(db_session, world.year) == 0


def test_access(world, login):
    year = world.year
    data = workbook([[world.agency_a.name, "党建工作", "市委组织部", 90, 100]])
    viewer = login(world.viewer)
    assert viewer.get(f"/admin/indicators/{year.id}").status_code == 200
    assert viewer.get(f"/admin/indicators/{year.id}/import").status_code == 403
    assert upload(viewer, year, data).status_code == 403
    assert viewer.get(f"/admin/indicators/{year.id}/template.xlsx").status_code == 403

    district = login(world.district_supervisor)
    for path in ("", "/import", "/template.xlsx"):
        assert district.get(f"/admin/indicators/{year.id}{path}").status_code == 404
    assert upload(district, year, data).status_code == 404
    assert district.get("/admin/indicators/999999").status_code == 404

    for user in (world.editor_a, world.leader_a):
        client = login(user)
        assert client.get(f"/admin/indicators/{year.id}").status_code == 403
        assert upload(client, year, data).status_code == 403


def test_a_file_imported_meanwhile_is_refused_by_the_database(app, db_session, world, monkeypatch):
    """Two supervisors importing the same file at once: the unique constraint decides."""
    from survey.indicators import importing

    data = workbook([[world.agency_a.name, "党建工作", "市委组织部", 90, 100]])
    with app.test_request_context(headers=ENGLISH):
        importing.import_scores(db_session, world.supervisor, world.year, "a.xlsx", data)
        db_session.commit()
        monkeypatch.setattr(importing, "_already_imported", lambda *args: False)
        with pytest.raises(importing.ImportRefused) as refused:
            importing.import_scores(db_session, world.supervisor, world.year, "b.xlsx", data)
        assert refused.value.errors == [(0, "This file has already been imported.")]
        db_session.rollback()
    assert len(stored(db_session, world.year)) == 1 and imports(db_session, world.year) == 1
