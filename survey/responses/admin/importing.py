"""Importing paper, telephone, visit and meeting questionnaires from an Excel sheet.

The template (one per campaign) has the columns 被评价单位 (agency name, or its short name
when unambiguous), 评价单位 (peer review only), 渠道 (纸质问卷 / 电话访问 / 走访 / 会议), then
one column per item headed "<item id> <item text>"; a second sheet explains the codes. Rating
cells hold 1..N or 不了解; choice cells an option's label or code (several separated by ；or ;
for a multiple choice); text cells text.

Every row is checked against the questionnaire and every problem reported with its row
number; when any row is bad nothing is imported. Each imported response's submission key is a
hash of the file's sha256 and its row number, so the same file imported twice is recognised
and refused instead of counted twice.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from xlsxwriter import Workbook

from survey.agencies.models import Agency
from survey.auditing import record
from survey.campaigns.models import Campaign, CampaignAgency
from survey.campaigns.queries import definition_of
from survey.errors import DomainError
from survey.questionnaires.itemtypes import ABSENT, AnswerError
from survey.questionnaires.schema import Definition, Item
from survey.responses.models import Channel, Response
from survey.responses.services import store_response
from survey.spreadsheets import ImportResult, cell_text, read_first_sheet

AGENCY_COLUMN = "被评价单位"
RATER_COLUMN = "评价单位"
CHANNEL_COLUMN = "渠道"
IMPORT_CHANNELS = {
    "纸质问卷": Channel.paper,
    "电话访问": Channel.phone,
    "走访": Channel.visit,
    "会议": Channel.meeting,
}
MAX_ROWS = 20000
ITEM_HEADER = re.compile(r"^\s*(\S+)")


@dataclass
class ParsedRow:
    row_number: int
    agency_id: int
    rater_agency_id: int | None
    channel: Channel
    answers: dict[str, str | None]


def fixed_columns(campaign: Campaign) -> list[str]:
    if campaign.respondent_group == "peer":
        return [AGENCY_COLUMN, RATER_COLUMN, CHANNEL_COLUMN]
    return [AGENCY_COLUMN, CHANNEL_COLUMN]


def item_header(item: Item) -> str:
    return f"{item.id} {item.text}"


def template_bytes(session: Session, campaign: Campaign) -> bytes:
    definition = definition_of(campaign)
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True, "text_wrap": True})
    sheet = workbook.add_worksheet("答卷")
    columns = fixed_columns(campaign) + [item_header(item) for item in definition.items]
    sheet.write_row(0, 0, columns, bold)
    sheet.set_row(0, 48)
    sheet.set_column(0, len(fixed_columns(campaign)) - 1, 24)
    sheet.set_column(len(fixed_columns(campaign)), len(columns) - 1, 16)
    sheet.freeze_panes(1, 0)

    help_sheet = workbook.add_worksheet("填写说明")
    agency_names = [agency.name for agency in campaign.agencies]
    notes = [
        f"调查活动：{campaign.title}（{campaign.code}）",
        "每行一份答卷（对一个单位的评价）；第一行为表头，请勿修改、删除或增加列。",
        f"{AGENCY_COLUMN}：填写被评价单位的全称（或简称），须为本次调查的单位："
        + "、".join(agency_names),
    ]
    if campaign.respondent_group == "peer":
        notes.append(f"{RATER_COLUMN}：填写作出评价的单位全称；单位不能评价本单位。")
    notes += [
        f"{CHANNEL_COLUMN}：只能填写 " + "、".join(IMPORT_CHANNELS) + "。",
        f"评分题：填写 1 至 {definition.scale.points} 的整数（{definition.scale.points} 为最好），"
        f"或填写“{definition.dont_know}”。",
        "单选题：填写选项文字或选项代码；多选题：多个选项用分号；分隔。",
        "标有“必答”的题目不能空着；其他题目可以空着。",
        "任何一行有错误时，整个文件都不会导入，页面会列出每一处错误。",
        "同一个文件只能导入一次；重复导入会被拒绝，不会重复计数。",
        "",
        "题目与选项代码：",
    ]
    for row, note in enumerate(notes):
        help_sheet.write(row, 0, note)
    row = len(notes)
    help_sheet.write_row(row, 0, ("题号", "题型", "必答", "题目", "选项（代码 = 文字）"), bold)
    for item in definition.items:
        row += 1
        help_sheet.write_row(
            row,
            0,
            (
                item.id,
                item.item_type.kind_label,
                "是" if item.required else "",
                item.text,
                item.item_type.cell_hint(item),
            ),
        )
    help_sheet.set_column(0, 0, 60)
    help_sheet.set_column(3, 4, 50)
    workbook.close()
    return buffer.getvalue()


def submission_key(file_hash: str, row_number: int) -> str:
    return hashlib.sha256(f"import:{file_hash}:{row_number}".encode("ascii")).hexdigest()


def _read_header(
    campaign: Campaign, definition: Definition, header: list[str], result: ImportResult
):
    """Column index of each item; appends errors for a wrong header."""
    fixed = fixed_columns(campaign)
    if header[: len(fixed)] != fixed:
        result.errors.append((1, str(_l("The first columns must be: %(h)s", h=" | ".join(fixed)))))
        return None
    columns: dict[str, int] = {}
    for index, title in enumerate(header[len(fixed) :], start=len(fixed)):
        if not title:
            continue
        match = ITEM_HEADER.match(title)
        item_id = match.group(1) if match else title
        if definition.find(item_id) is None:
            result.errors.append((1, str(_l("Unknown item column %(c)r.", c=title))))
        elif item_id in columns:
            result.errors.append((1, str(_l("The item %(item)s has two columns.", item=item_id))))
        else:
            columns[item_id] = index
    missing = [item.id for item in definition.items if item.id not in columns]
    if missing:
        result.errors.append(
            (1, str(_l("Columns missing for the items: %(ids)s", ids=", ".join(missing))))
        )
    return None if result.errors else columns


def parse(session: Session, campaign: Campaign, data: bytes) -> ImportResult[ParsedRow]:
    """Read and check the workbook against the campaign's questionnaire. Nothing is written."""
    result = ImportResult(file_hash=hashlib.sha256(data).hexdigest())
    read_first_sheet(
        data, result.errors, lambda sheet: _parse_rows(session, campaign, sheet, result)
    )
    if not result.errors and not result.rows:
        result.errors.append((0, str(_l("The workbook has no answer rows."))))
    if result.ok and _already_imported(session, campaign, result):
        result.errors.append((0, str(_l("This file has already been imported."))))
        result.rows.clear()
    return result


def _already_imported(
    session: Session, campaign: Campaign, result: ImportResult[ParsedRow]
) -> bool:
    """Whether this very file was imported before (its first row's key is stored)."""
    key = submission_key(result.file_hash, result.rows[0].row_number)
    return bool(
        session.scalar(
            select(
                exists().where(Response.campaign_id == campaign.id, Response.submission_key == key)
            )
        )
    )


def _names(rows) -> dict[str, int]:
    """Agency ids by full name, and by short name where that is unambiguous."""
    by_name = {name: agency_id for agency_id, name, _ in rows}
    shorts: dict[str, list[int]] = {}
    for agency_id, _, short_name in rows:
        if short_name:
            shorts.setdefault(short_name, []).append(agency_id)
    for short_name, ids in shorts.items():
        if len(ids) == 1:
            by_name.setdefault(short_name, ids[0])
    return by_name


def _parse_rows(
    session: Session, campaign: Campaign, sheet, result: ImportResult[ParsedRow]
) -> None:
    definition = definition_of(campaign)
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(value) for value in next(rows, ()) or ()]
    columns = _read_header(campaign, definition, header, result)
    if columns is None:
        return
    peer = campaign.respondent_group == "peer"
    rated = _names(
        session.execute(
            select(Agency.id, Agency.name, Agency.short_name)
            .join(CampaignAgency, CampaignAgency.agency_id == Agency.id)
            .where(CampaignAgency.campaign_id == campaign.id)
        ).all()
    )
    raters = rated
    if peer:
        raters = _names(
            session.execute(
                select(Agency.id, Agency.name, Agency.short_name).where(
                    Agency.jurisdiction_id == campaign.year.jurisdiction_id,
                    Agency.deleted_at.is_(None),
                )
            ).all()
        )
    width = len(header)
    for number, values in enumerate(rows, start=2):
        cells = [cell_text(value) for value in (values or ())][:width]
        cells += [""] * (width - len(cells))
        if not any(cells):
            continue
        if number > MAX_ROWS + 1:
            result.errors.append((number, str(_l("Too many rows (at most %(n)d).", n=MAX_ROWS))))
            return
        errors: list[str] = []
        agency_name = cells[0]
        agency_id = rated.get(agency_name)
        if not agency_name:
            errors.append(str(_l("The rated agency is missing.")))
        elif agency_id is None:
            errors.append(
                str(_l("%(name)r is not an agency rated in this campaign.", name=agency_name))
            )
        rater_id = None
        if peer:
            rater_name = cells[1]
            rater_id = raters.get(rater_name)
            if not rater_name:
                errors.append(str(_l("The rating agency is missing.")))
            elif rater_id is None:
                errors.append(str(_l("Unknown rating agency %(name)r.", name=rater_name)))
            elif rater_id == agency_id:
                errors.append(str(_l("An agency never rates itself.")))
        channel_text = cells[2 if peer else 1]
        channel = IMPORT_CHANNELS.get(channel_text)
        if channel is None:
            errors.append(
                str(
                    _l(
                        "Unknown channel %(value)r; use one of: %(channels)s",
                        value=channel_text,
                        channels="、".join(IMPORT_CHANNELS),
                    )
                )
            )
        answers: dict[str, str | None] = {}
        for item in definition.items:
            text = cells[columns[item.id]]
            if not text:
                if item.required:
                    errors.append(str(_l("%(item)s is required.", item=item.id)))
                continue
            try:
                value = item.item_type.read_cell(item, text)
            except AnswerError as error:
                errors.append(str(error.message))
                continue
            if value is not ABSENT:
                answers[item.id] = value
        if errors:
            result.errors.extend((number, message) for message in errors)
        else:
            result.rows.append(ParsedRow(number, agency_id, rater_id, channel, answers))


def apply(session: Session, actor, campaign: Campaign, result: ImportResult[ParsedRow]) -> int:
    """Store every parsed row as a response and audit the import (flushes; the caller
    commits once)."""
    if not result.ok:
        raise ValueError("refusing to import a workbook with errors")
    if _already_imported(session, campaign, result):
        raise DomainError(_l("This file has already been imported."))
    agency_ids = set(
        session.scalars(
            select(CampaignAgency.agency_id).where(CampaignAgency.campaign_id == campaign.id)
        )
    )
    try:
        for row in result.rows:
            store_response(
                session,
                campaign=campaign,
                agency_id=row.agency_id,
                rater_agency_id=row.rater_agency_id,
                answers=row.answers,
                channel=row.channel,
                submission_key=submission_key(result.file_hash, row.row_number),
                agency_ids=agency_ids,
            )
    except IntegrityError:
        # The same file imported at the same moment by someone else: its keys are taken.
        raise DomainError(_l("This file has already been imported.")) from None
    channels: dict[str, int] = {}
    for row in result.rows:
        channels[row.channel.value] = channels.get(row.channel.value, 0) + 1
    record(
        session,
        actor,
        "responses.import",
        campaign,
        jurisdiction_id=campaign.year.jurisdiction_id,
        after={"rows": len(result.rows), "file_sha256": result.file_hash, "channels": channels},
    )
    return len(result.rows)
