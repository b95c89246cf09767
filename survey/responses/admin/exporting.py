"""The raw export of a campaign's responses, as CSV or Excel, complete for any size.

Columns come from the questionnaire version's items, never from the data: 答卷编号, 被评价单位,
评价单位 (peer review only), 渠道, 提交时间 (Beijing time), 用时（秒）, 标记 (flag codes), 是否排除,
then one column per item headed "<item id> <item text>". Values: a rating is its number, and
不了解 is written as "不了解"; a single choice is its option's label; a multiple choice its
labels joined by "；"; an unanswered item is empty.

Rows are read in batches of ``BATCH`` responses by id (keyset), each batch with one query for
its answers, one for its flags and one for its reviews, so memory stays flat however many
responses there are. The export covers every response up to the highest id when it started.

Formula injection (ECOSYSTEM §4): in CSV, a text cell that starts with = + - @ tab or carriage
return gets a leading apostrophe; in Excel, XlsxWriter never turns strings into formulas or
links.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zoneinfo
from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from xlsxwriter import Workbook

from survey.agencies.models import Agency
from survey.campaigns.models import Campaign
from survey.campaigns.queries import definition_of
from survey.questionnaires.schema import Definition
from survey.responses.models import Answer, Channel, FlagReview, Response, ResponseFlag
from survey.spreadsheets import safe_text

BATCH = 2000
LOCAL = zoneinfo.ZoneInfo("Asia/Shanghai")
CHANNEL_CHINESE = {
    Channel.web: "网上问卷",
    Channel.paper: "纸质问卷",
    Channel.phone: "电话访问",
    Channel.visit: "走访",
    Channel.meeting: "会议",
}
YES, NO = "是", "否"


def header(campaign: Campaign, definition: Definition) -> list[str]:
    columns = ["答卷编号", "被评价单位"]
    if campaign.respondent_group == "peer":
        columns.append("评价单位")
    columns += ["渠道", "提交时间", "用时（秒）", "标记", "是否排除"]
    columns += [f"{item.id} {item.text}" for item in definition.items]
    return columns


def rows(session: Session, campaign: Campaign, *, batch: int = BATCH) -> Iterator[list]:
    """Every response of the campaign as a list of cell values, in id order."""
    definition = definition_of(campaign)
    peer = campaign.respondent_group == "peer"
    names = dict(session.execute(select(Agency.id, Agency.name)).all())
    last_id = session.scalar(
        select(func.max(Response.id)).where(Response.campaign_id == campaign.id)
    )
    if last_id is None:
        return
    after = 0
    while True:
        responses = session.execute(
            select(
                Response.id,
                Response.agency_id,
                Response.rater_agency_id,
                Response.channel,
                Response.submitted_at,
                Response.duration_seconds,
            )
            .where(
                Response.campaign_id == campaign.id,
                Response.id > after,
                Response.id <= last_id,
            )
            .order_by(Response.id)
            .limit(batch)
        ).all()
        if not responses:
            return
        ids = [r.id for r in responses]
        answers: dict[int, dict[str, str | None]] = defaultdict(dict)
        for response_id, item_id, value in session.execute(
            select(Answer.response_id, Answer.item_id, Answer.value).where(
                Answer.response_id.in_(ids)
            )
        ):
            answers[response_id][item_id] = value
        flags: dict[int, list[str]] = defaultdict(list)
        for response_id, reason in session.execute(
            select(ResponseFlag.response_id, ResponseFlag.reason)
            .where(ResponseFlag.response_id.in_(ids))
            .order_by(ResponseFlag.id)
        ):
            flags[response_id].append(reason.value)
        latest: dict[int, bool] = {}
        for response_id, include in session.execute(
            select(FlagReview.response_id, FlagReview.include)
            .where(FlagReview.response_id.in_(ids))
            .order_by(FlagReview.id)
        ):
            latest[response_id] = include
        for r in responses:
            given = answers.get(r.id, {})
            if r.id in latest:
                excluded = not latest[r.id]
            else:
                excluded = bool(flags.get(r.id))
            row = [r.id, names.get(r.agency_id, "")]
            if peer:
                row.append(names.get(r.rater_agency_id, "") if r.rater_agency_id else "")
            row += [
                CHANNEL_CHINESE[r.channel],
                r.submitted_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S"),
                r.duration_seconds if r.duration_seconds is not None else "",
                ";".join(flags.get(r.id, ())),
                YES if excluded else NO,
            ]
            row += [
                item.item_type.export(item, given[item.id]) if item.id in given else ""
                for item in definition.items
            ]
            yield row
        after = ids[-1]
        session.expire_all()  # keep the identity map from growing over a long export


def csv_chunks(
    session: Session, campaign: Campaign, *, batch: int = BATCH, tally: dict | None = None
) -> Iterator[bytes]:
    """The CSV file (UTF-8 with BOM, so Excel opens the Chinese right) in chunks.
    ``tally["rows"]`` counts the response rows written."""
    tally = tally if tally is not None else {}
    tally["rows"] = 0
    definition = definition_of(campaign)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_text(cell) for cell in header(campaign, definition)])
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows(session, campaign, batch=batch), start=1):
        writer.writerow([safe_text(cell) for cell in row])
        tally["rows"] = count
        if count % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_csv(session: Session, campaign: Campaign, path: str, *, batch: int = BATCH) -> int:
    """Write the CSV file to ``path``; return the number of response rows."""
    tally: dict = {}
    with open(path, "wb") as stream:
        for chunk in csv_chunks(session, campaign, batch=batch, tally=tally):
            stream.write(chunk)
    return tally["rows"]


def write_xlsx(session: Session, campaign: Campaign, path: str, *, batch: int = BATCH) -> int:
    """Write the Excel workbook to ``path``; return the number of response rows."""
    definition = definition_of(campaign)
    workbook = Workbook(
        path,
        {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": True},
    )
    sheet = workbook.add_worksheet("答卷")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, header(campaign, definition), bold)
    count = 0
    for count, row in enumerate(rows(session, campaign, batch=batch), start=1):
        sheet.write_row(count, 0, row)
    workbook.close()
    return count


def xlsx_chunks(session: Session, campaign: Campaign, *, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """Build the workbook in a temporary file, then stream it and remove the file."""
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(session, campaign, path)
        with open(path, "rb") as stream:
            while data := stream.read(chunk):
                yield data
    finally:
        os.unlink(path)


def export_filename(campaign: Campaign, suffix: str) -> str:
    return f"responses-{campaign.code}.{suffix}"
