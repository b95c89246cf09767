"""Raw exports: columns from the questionnaire, every response exactly once however many there
are, no spreadsheet formulas from respondents' text, supervisors only."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from survey.campaigns.models import CampaignState
from survey.responses.admin import exporting
from survey.responses.admin.cli import responses as responses_commands
from survey.responses.models import Channel, FlagReason
from tests.responses.admin.conftest import add_response, bulk_responses, make_campaign

ITEM_COLUMNS = [
    "E1 聚焦主责主业",
    "C1 配合有关机关",
    "contact 打交道的方式",
    "topics 关注的方面",
    "comment 意见和建议",
]


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so Excel reads the Chinese"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))


def test_csv_columns_and_values(db_session, world, campaign, login):
    add_response(
        db_session,
        campaign,
        world.agency_a,
        {"E1": "5", "C1": None, "contact": "online", "topics": "speed,attitude", "comment": "很好"},
        duration=75,
    )
    add_response(
        db_session,
        campaign,
        world.agency_b,
        {"E1": "2"},
        flags=[FlagReason.too_fast],
        channel=Channel.phone,
    )
    db_session.commit()
    response = login(world.supervisor).get(f"/admin/results/{campaign.id}/export.csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    header, first, second = read_csv(response.get_data())
    assert header == [
        "答卷编号",
        "被评价单位",
        "渠道",
        "提交时间",
        "用时（秒）",
        "标记",
        "是否排除",
        *ITEM_COLUMNS,
    ]
    assert first[1:3] == [world.agency_a.name, "网上问卷"]
    assert first[4:] == ["75", "", "否", "5", "不了解", "网上办事", "办事效率；服务态度", "很好"]
    assert second[1:3] == [world.agency_b.name, "电话访问"]
    assert second[5:] == ["too_fast", "是", "2", "", "", "", ""]


def test_peer_export_names_the_rating_agency(db_session, world):
    campaign = make_campaign(db_session, world, group="peer", state=CampaignState.closed)
    add_response(db_session, campaign, world.agency_a, {"E1": "4"}, rater=world.agency_c)
    db_session.commit()
    header, row = read_csv(b"".join(exporting.csv_chunks(db_session, campaign)))
    assert header[:3] == ["答卷编号", "被评价单位", "评价单位"]
    assert row[1:3] == [world.agency_a.name, world.agency_c.name]


def test_no_formula_reaches_a_spreadsheet(db_session, world, campaign, tmp_path):
    attacks = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    for text in attacks:
        add_response(db_session, campaign, world.agency_a, {"E1": "3", "comment": text})
    db_session.commit()
    rows = read_csv(b"".join(exporting.csv_chunks(db_session, campaign)))[1:]
    assert [row[-1] for row in rows] == ["'" + text for text in attacks]

    path = tmp_path / "out.xlsx"
    assert exporting.write_xlsx(db_session, campaign, str(path)) == len(attacks)
    sheet = load_workbook(path).worksheets[0]
    cells = [sheet.cell(row=r, column=sheet.max_column) for r in range(2, len(attacks) + 2)]
    # (XML keeps a carriage return as the escape _x000D_, which Excel shows as the character)
    assert [c.value.replace("_x000D_", "\r") for c in cells] == attacks
    assert {c.data_type for c in cells} == {"s"}  # strings, never formulas
    assert sheet.cell(row=2, column=8).value == 3  # a rating is a number


def test_exports_are_complete_for_ten_thousand_responses(
    db_session, world, campaign, login, tmp_path
):
    bulk_responses(db_session, campaign, world.agency_a, 10_000, flagged_every=100)
    bulk_responses(db_session, campaign, world.agency_b, 7, key="b")
    db_session.commit()
    response = login(world.supervisor).get(f"/admin/results/{campaign.id}/export.csv")
    assert response.is_streamed
    rows = read_csv(response.get_data())[1:]
    assert len(rows) == 10_007
    assert len({row[0] for row in rows}) == 10_007
    assert sum(row[6] == "是" for row in rows) == 100
    assert [int(row[0]) for row in rows] == sorted(int(row[0]) for row in rows)

    path = tmp_path / "all.xlsx"
    assert exporting.write_xlsx(db_session, campaign, str(path), batch=999) == 10_007
    workbook = load_workbook(path, read_only=True)
    rows_in_sheet = sum(1 for _ in workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    workbook.close()
    assert rows_in_sheet == 10_007


def test_excel_download(db_session, world, campaign, login):
    add_response(db_session, campaign, world.agency_a, {"E1": "4", "C1": None})
    db_session.commit()
    response = login(world.supervisor).get(f"/admin/results/{campaign.id}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    assert [c.value for c in sheet[1]][-5:] == ITEM_COLUMNS
    assert [c.value for c in sheet[2]][-5:-3] == [4, "不了解"]


def test_command_line_export(app, db_session, world, campaign, tmp_path):
    for _ in range(3):
        add_response(db_session, campaign, world.agency_a, {"E1": "4"})
    db_session.commit()
    runner = app.test_cli_runner()
    out = tmp_path / "x.csv"
    result = runner.invoke(responses_commands, ["export", campaign.code.lower(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Exported 3 responses" in result.output
    assert len(read_csv(out.read_bytes())) == 4
    result = runner.invoke(
        responses_commands, ["export", str(campaign.id), "--out", str(tmp_path / "x.xlsx")]
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(tmp_path / "x.xlsx").worksheets[0].max_row == 4
    result = runner.invoke(responses_commands, ["export", "NOSUCH", "--out", str(out)])
    assert result.exit_code != 0 and "no campaign" in result.output


def test_an_empty_campaign_exports_its_header(db_session, world, campaign, tmp_path):
    assert read_csv(b"".join(exporting.csv_chunks(db_session, campaign)))[0][-5:] == ITEM_COLUMNS
    assert exporting.write_xlsx(db_session, campaign, str(tmp_path / "e.xlsx")) == 0
    assert load_workbook(tmp_path / "e.xlsx").worksheets[0].max_row == 1
