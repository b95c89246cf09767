"""A page's table as .xlsx or CSV: formula-safe text, and the run's result checksum on every
sheet so a printed or forwarded table names the exact run it came from."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext as _
from xlsxwriter import Workbook

from survey.spreadsheets import safe_text


def _checksum_line(run) -> list[str]:
    return [
        _("Run %(number)d of %(year)d · result checksum", number=run.number, year=run.year.year),
        run.result_checksum,
    ]


def table_csv(run, header: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_text(h) for h in header])
    for row in rows:
        writer.writerow([safe_text(v) if isinstance(v, str) else v for v in row])
    writer.writerow([])
    writer.writerow(_checksum_line(run))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(run, title: str, header: list[str], rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    workbook = Workbook(
        buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    number = workbook.add_format({"num_format": "0.00"})
    sheet = workbook.add_worksheet(title[:31])
    for column, name in enumerate(header):
        sheet.write_string(0, column, name, bold)
    for r, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(r, column, value)
            else:
                sheet.write_number(r, column, value, number)
    last = len(rows) + 2
    for column, value in enumerate(_checksum_line(run)):
        sheet.write_string(last, column, value)
    sheet.freeze_panes(1, 1)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, max(len(header) - 1, 1), 13)
    workbook.close()
    return buffer.getvalue()
