"""Follow-up lists as .xlsx workbooks (dated, one sheet each)."""

from __future__ import annotations

import datetime as dt
import io

from xlsxwriter import Workbook

from survey.spreadsheets import safe_text


def workbook_bytes(sheet_name: str, header: list[str], rows) -> bytes:
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, header, bold)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write_datetime(number, column, dt.datetime.combine(value, dt.time()), dates)
            elif value is None:
                sheet.write_blank(number, column, None)
            else:
                sheet.write(number, column, safe_text(value))
    sheet.set_column(0, len(header) - 1, 16)
    workbook.close()
    return buffer.getvalue()


ITEM_HEADER = [
    "编号",
    "单位",
    "来源",
    "来源编号",
    "标题",
    "整改要求",
    "下发日期",
    "整改期限",
    "剩余工作日",
    "预警",
    "状态",
    "责任科室",
    "责任领导",
    "催办次数",
]


def item_rows(rows):
    for row in rows:
        item, warning = row.item, row.warning
        yield [
            item.id,
            item.agency.name,
            item.source_kind.label,
            item.source_id,
            item.title,
            item.requirement,
            item.issued_on,
            item.due_on,
            warning.days_left,
            warning.colour.label if warning.colour else "",
            item.state.label,
            item.section.name if item.section else "",
            item.responsible_leader,
            row.reminders,
        ]
