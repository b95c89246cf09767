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


def _csv_cell(value):
    return safe_text(value) if isinstance(value, str) else value


def tables_csv(run, tables: list[tuple[str, list[str], list[list]]]) -> bytes:
    """Several tables in one CSV, each under its title row when there is more than one."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for title, header, rows in tables:
        if len(tables) > 1:
            writer.writerow([safe_text(title)])
        writer.writerow([safe_text(h) for h in header])
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
        writer.writerow([])
    writer.writerow(_checksum_line(run))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_csv(run, header: list[str], rows: list[list]) -> bytes:
    return tables_csv(run, [("", header, rows)])


def tables_xlsx(run, tables: list[tuple[str, list[str], list[list]]]) -> bytes:
    """One sheet per table, each with the run's checksum under it."""
    buffer = io.BytesIO()
    workbook = Workbook(
        buffer,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "nan_inf_to_errors": True,
            "in_memory": True,
        },
    )
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    number = workbook.add_format({"num_format": "0.00"})
    for title, header, rows in tables:
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


def table_xlsx(run, title: str, header: list[str], rows: list[list]) -> bytes:
    return tables_xlsx(run, [(title, header, rows)])
