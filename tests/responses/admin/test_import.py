"""Paper, telephone, visit and meeting questionnaires from Excel: every row checked against the
questionnaire, each bad row reported with its number and a Chinese reason, nothing imported
when any row is bad, the same file never counted twice, unsafe uploads refused."""

from __future__ import annotations

import io
import os
import re
import zipfile

import openpyxl
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from survey.audit.models import AuditEntry
from survey.campaigns.models import CampaignState
from survey.responses.models import Answer, Channel, Response
from tests.fixtures.spreadsheets import xlsx_bytes
from tests.responses.admin.conftest import make_campaign

HEADER = [
    "被评价单位",
    "渠道",
    "E1 聚焦主责主业",
    "C1 配合有关机关",
    "contact 打交道的方式",
    "topics 关注的方面",
    "comment 意见和建议",
]


workbook = xlsx_bytes


def upload(client, campaign, data: bytes, name="answers.xlsx"):
    return client.post(
        f"/admin/results/{campaign.id}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def count(db_session, campaign) -> int:
    db_session.expire_all()
    return db_session.scalar(
        select(func.count(Response.id)).where(Response.campaign_id == campaign.id)
    )


def error_rows(html: str) -> list[tuple[str, str]]:
    return re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", html)


def test_template_has_the_questionnaires_columns_and_a_help_sheet(
    db_session, world, campaign, login
):
    response = login(world.supervisor).get(f"/admin/results/{campaign.id}/import/template.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    assert [c.value for c in book.worksheets[0][1]] == HEADER
    help_text = "\n".join(
        str(c.value) for row in book.worksheets[1].iter_rows() for c in row if c.value
    )
    assert "纸质问卷" in help_text and "window = 窗口办事" in help_text
    assert world.agency_a.name in help_text

    peer = make_campaign(db_session, world, group="peer", state=CampaignState.closed)
    db_session.commit()
    response = login(world.supervisor).get(f"/admin/results/{peer.id}/import/template.xlsx")
    header = [
        c.value for c in openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0][1]
    ]
    assert header[:3] == ["被评价单位", "评价单位", "渠道"]


def test_a_good_file_is_imported_with_its_channels_once(db_session, world, campaign, login):
    data = workbook(
        HEADER,
        [
            [
                world.agency_a.name,
                "纸质问卷",
                5,
                "不了解",
                "窗口办事",
                "办事效率；attitude",
                "很好",
            ],
            ["乙局", "电话访问", "3", None, "online", None, None],  # a short name will do
            [None, None, None, None, None, None, None],  # an empty row is skipped
            [world.agency_a.name, "会议", 1, 2, None, None, "-2+3 很好"],
        ],
    )
    client = login(world.supervisor)
    response = upload(client, campaign, data)
    assert response.status_code == 302, error_rows(response.get_data(as_text=True))
    assert "已导入 3 份答卷" in client.get(response.headers["Location"]).get_data(as_text=True)
    responses = db_session.scalars(
        select(Response).where(Response.campaign_id == campaign.id).order_by(Response.id)
    ).all()
    assert [(r.agency_id, r.channel) for r in responses] == [
        (world.agency_a.id, Channel.paper),
        (world.agency_b.id, Channel.phone),
        (world.agency_a.id, Channel.meeting),
    ]
    answers = {
        (a.response_id, a.item_id): a.value
        for a in db_session.scalars(
            select(Answer).where(Answer.response_id.in_([r.id for r in responses]))
        )
    }
    first, second, third = (r.id for r in responses)
    assert answers[(first, "E1")] == "5" and answers[(first, "C1")] is None  # 不了解: missing
    assert answers[(first, "contact")] == "window"
    assert answers[(first, "topics")] == "speed,attitude"
    assert (second, "C1") not in answers and answers[(second, "contact")] == "online"
    assert answers[(third, "comment")] == "-2+3 很好"  # stored as given; exports defuse
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "responses.import"))
    assert entry.after["rows"] == 3 and entry.entity_id == campaign.id

    again = upload(client, campaign, data)
    assert again.status_code == 200
    assert "该文件已经导入过，不能重复导入" in again.get_data(as_text=True)
    assert count(db_session, campaign) == 3


def test_every_bad_row_is_reported_and_nothing_is_imported(db_session, world, campaign, login):
    a = world.agency_a.name
    rows = [
        [a, "纸质问卷", 4, 4, None, None, None],  # row 2: good
        ["不存在的局", "纸质问卷", 4, None, None, None, None],  # 3
        [world.agency_c.name, "纸质问卷", 4, None, None, None, None],  # 4: not in campaign
        [a, "纸质问卷", None, 3, None, None, None],  # 5: required E1 missing
        [a, "纸质问卷", 6, None, None, None, None],  # 6: out of range
        [a, "纸质问卷", 0, "很好", None, None, None],  # 7: two bad ratings
        [a, "纸质问卷", 4, None, "邮寄", None, None],  # 8: unknown option
        [a, "纸质问卷", 4, None, None, "办事效率；其他", None],  # 9: unknown option in multiple
        [a, "纸质问卷", 4, None, None, None, "字" * 51],  # 10: text too long
        [a, "微信", 4, None, None, None, None],  # 11: unknown channel
        [None, "纸质问卷", 4, None, None, None, None],  # 12: agency missing
        [a, "纸质问卷", "²", "４", None, None, None],  # 13: digits int() refuses or misreads
        [a, "纸质问卷", 4, None, None, "办事效率；服务态度；公平公正", None],  # 14: max 2
    ]
    response = upload(login(world.supervisor), campaign, workbook(HEADER, rows))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nothing was imported" not in html  # shown in Chinese
    errors = error_rows(html)
    by_row: dict[str, list[str]] = {}
    for row, message in errors:
        by_row.setdefault(row, []).append(message)
    assert "2" not in by_row
    assert by_row["3"] == ["&#39;不存在的局&#39; 不是本次调查的被评价单位。"]
    assert "不是本次调查的被评价单位" in by_row["4"][0]
    assert by_row["5"] == ["E1 为必答题，不能为空。"]
    assert by_row["6"] == ["E1：&#39;6&#39; 不是 1 至 5 的评分，也不是“不了解”。"]
    assert len(by_row["7"]) == 2 and by_row["7"][1].startswith("C1：")
    assert by_row["8"] == ["contact：没有选项 &#39;邮寄&#39;。"]
    assert by_row["9"] == ["topics：没有选项 &#39;其他&#39;。"]
    assert by_row["10"] == ["comment：文字超过 50 个字。"]
    assert by_row["11"][0].startswith("渠道 &#39;微信&#39; 无效")
    assert by_row["12"] == ["未填写被评价单位。"]
    assert by_row["13"] == [
        "E1：&#39;²&#39; 不是 1 至 5 的评分，也不是“不了解”。",
        "C1：&#39;４&#39; 不是 1 至 5 的评分，也不是“不了解”。",
    ]
    assert by_row["14"] == ["topics：最多选 2 项。"]
    assert count(db_session, campaign) == 0


def test_peer_rows_never_rate_their_own_agency(db_session, world, login):
    peer = make_campaign(db_session, world, group="peer", state=CampaignState.closed)
    db_session.commit()
    header = ["被评价单位", "评价单位", "渠道", *HEADER[2:]]
    rows = [
        [world.agency_a.name, world.agency_b.name, "会议", 4, None, None, None, None],
        [world.agency_a.name, world.agency_a.name, "会议", 4, None, None, None, None],
        [world.agency_b.name, "无名局", "会议", 4, None, None, None, None],
    ]
    client = login(world.supervisor)
    errors = error_rows(upload(client, peer, workbook(header, rows)).get_data(as_text=True))
    assert errors == [("3", "单位不能评价本单位。"), ("4", "未知的评价单位 &#39;无名局&#39;。")]
    assert count(db_session, peer) == 0
    response = upload(client, peer, workbook(header, rows[:1]))
    assert response.status_code == 302
    stored = db_session.scalar(select(Response).where(Response.campaign_id == peer.id))
    assert (stored.agency_id, stored.rater_agency_id) == (world.agency_a.id, world.agency_b.id)


def test_wrong_header_columns_are_reported(db_session, world, campaign, login):
    client = login(world.supervisor)
    extra = workbook([*HEADER, "Q9 不存在的题"], [[world.agency_a.name, "纸质问卷", 4]])
    assert ("1", "无法识别的题目列 &#39;Q9 不存在的题&#39;。") in error_rows(
        upload(client, campaign, extra).get_data(as_text=True)
    )
    missing = workbook(HEADER[:-1], [[world.agency_a.name, "纸质问卷", 4]])
    assert ("1", "缺少以下题目的列：comment") in error_rows(
        upload(client, campaign, missing).get_data(as_text=True)
    )
    swapped = workbook(["渠道", "被评价单位", *HEADER[2:]], [["纸质问卷", world.agency_a.name, 4]])
    assert error_rows(upload(client, campaign, swapped).get_data(as_text=True))[0][0] == "1"
    empty = workbook(HEADER, [])
    assert ("—", "文件中没有答卷数据。") in error_rows(
        upload(client, campaign, empty).get_data(as_text=True)
    )
    assert count(db_session, campaign) == 0


def test_unsafe_or_wrong_files_are_refused(db_session, world, campaign, login):
    client = login(world.supervisor)
    not_excel = upload(client, campaign, "被评价单位,渠道\n".encode(), name="answers.csv")
    assert "不是 Excel" in not_excel.get_data(as_text=True)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert "无法读取" in upload(client, campaign, buffer.getvalue()).get_data(as_text=True)

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (30 * 1024 * 1024))
    assert len(bomb.getvalue()) < 100_000
    assert "工作簿过大" in upload(client, campaign, bomb.getvalue()).get_data(as_text=True)

    # Encoded in memory: the test client would spool a body this large to a temporary file
    # that it never closes (a ResourceWarning, an error here).
    boundary, body = encode_multipart(
        {
            "csrf_token": client.csrf_token(),
            "file": FileStorage(io.BytesIO(b"PK\x03\x04" + os.urandom(6 * 1024 * 1024)), "a.xlsx"),
        }
    )
    oversized = client.post(
        f"/admin/results/{campaign.id}/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Referer": "https://localhost/"},
        csrf=False,  # the token is in the body already
    )
    assert oversized.status_code == 413
    assert "5 MB" in oversized.get_data(as_text=True)
    assert count(db_session, campaign) == 0
