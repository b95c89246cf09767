"""Spreadsheets in and out, safely (shared by every import and export).

Out: a CSV cell that starts like a formula is written as text (ASVS 1.2.10, ECOSYSTEM §4.3).
In: reading uploaded Excel workbooks.

An .xlsx file is a zip archive: before openpyxl sees it, check that it is one and that it
does not unpack into something huge (a zip bomb). The upload's own size is capped by
``MAX_CONTENT_LENGTH`` (413 with a Chinese page).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

MAX_UNCOMPRESSED = 20 * 1024 * 1024
MAX_MEMBERS = 200
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


Row = TypeVar("Row")


@dataclass
class ImportResult(Generic[Row]):
    """What reading an uploaded workbook found: the parsed rows, or every problem with its
    row number (0: the file itself). All rows valid or nothing is imported. ``file_hash``
    recognises a file imported twice (where the importer keeps it)."""

    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    file_hash: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def safe_text(value):
    """A CSV cell that a spreadsheet will never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class WorkbookRefused(Exception):
    """The upload is not a workbook we are willing to open; the message says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def check_container(data: bytes, *, max_uncompressed: int = MAX_UNCOMPRESSED) -> str | None:
    """Why ``data`` cannot be opened as an .xlsx workbook, or None when it can."""
    if not data.startswith(b"PK\x03\x04"):
        return str(_l("The file is not an Excel .xlsx workbook."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        return str(_l("The file is not an Excel .xlsx workbook."))
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > max_uncompressed:
        return str(_l("The workbook is too large to import."))
    return None


def open_workbook(data: bytes, *, max_uncompressed: int = MAX_UNCOMPRESSED):
    """A read-only openpyxl workbook of ``data``; raises ``WorkbookRefused``. Close it after."""
    problem = check_container(data, max_uncompressed=max_uncompressed)
    if problem:
        raise WorkbookRefused(problem)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same here
        raise WorkbookRefused(_l("The workbook could not be read.")) from None


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 4.0 typed in a number cell is 4
    return str(value).strip()


def read_first_sheet(data: bytes, errors: list, read) -> None:
    """Call ``read(sheet)`` on the workbook's first sheet, or add the reason it cannot be
    opened to ``errors`` as row 0 (the whole file); the workbook is closed either way."""
    try:
        workbook = open_workbook(data)
    except WorkbookRefused as refused:
        errors.append((0, refused.message))
        return
    try:
        read(workbook.worksheets[0])
    finally:
        workbook.close()
