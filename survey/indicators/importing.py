"""Importing public-indicator scores (职能公共指标) of one assessment year from Excel.

The template has the columns 被评价单位 (an agency of the year's jurisdiction: its full name, or
its short name when no other agency shares it), 指标, 考核单位 (the assessment body), 得分 and
满分; a second sheet lists the agencies. Every row is checked and every problem reported with
its row number; when any row is bad nothing is imported. A file is imported once per year (its
sha256 is stored). Rows are never changed: a later import's score for the same agency and
indicator supersedes the earlier one, which stays on record.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from xlsxwriter import Workbook

from survey.agencies.models import Agency
from survey.auditing import record
from survey.errors import DomainError
from survey.indicators.models import IndicatorImport, PublicIndicatorScore
from survey.indicators.queries import current_scores, live_agencies
from survey.spreadsheets import ImportResult, cell_text, read_first_sheet
from survey.years.models import AssessmentYear

COLUMNS = ["被评价单位", "指标", "考核单位", "得分", "满分"]
MAX_ROWS = 5000
MAX_TEXT = 100  # the indicator and source columns' width
MAX_NUMBER = Decimal("9999.99")  # Numeric(6, 2)
# Plain ASCII decimals only: "９０" or "1e2" are refused rather than guessed at.
_DECIMAL = re.compile(r"-?[0-9]{1,9}(\.[0-9]+)?")


@dataclass
class ParsedRow:
    row_number: int
    agency_id: int
    indicator: str
    source: str
    score: Decimal
    max_score: Decimal


class ImportRefused(DomainError):
    """The file was not imported; ``errors`` lists each problem with its row (0: the file)."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(errors[0][1])
        self.errors = errors

    @property
    def problems(self) -> list[str]:
        return [message if row == 0 else f"{row}: {message}" for row, message in self.errors]


def template_bytes(session: Session, year: AssessmentYear) -> bytes:
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet("得分")
    sheet.write_row(0, 0, COLUMNS, bold)
    sheet.set_column(0, 2, 28)
    sheet.set_column(3, 4, 10)
    sheet.freeze_panes(1, 0)
    names = workbook.add_worksheet("单位名单")
    names.write_row(0, 0, ("单位全称", "简称"), bold)
    for row, agency in enumerate(live_agencies(session, year), start=1):
        names.write_row(row, 0, (agency.name, agency.short_name or ""))
    names.set_column(0, 1, 36)
    workbook.close()
    return buffer.getvalue()


def _agency_lookup(agencies: list[Agency]) -> tuple[dict[str, int], set[str]]:
    """Agency ids by full name and unshared short name; the short names several agencies share."""
    by_name = {agency.name: agency.id for agency in agencies}
    shorts: dict[str, list[int]] = {}
    for agency in agencies:
        if agency.short_name:
            shorts.setdefault(agency.short_name, []).append(agency.id)
    ambiguous = set()
    for short_name, ids in shorts.items():
        if len(ids) == 1:
            by_name.setdefault(short_name, ids[0])
        elif short_name not in by_name:
            ambiguous.add(short_name)
    return by_name, ambiguous


def _decimal(text: str, label: str) -> tuple[Decimal | None, str | None]:
    if not text:
        return None, str(_l("%(column)s is missing.", column=label))
    if not _DECIMAL.fullmatch(text):
        return None, str(_l("%(column)s %(value)r is not a number.", column=label, value=text))
    number = Decimal(text)
    if number.as_tuple().exponent < -2:
        return None, str(
            _l("%(column)s %(value)r has more than two decimals.", column=label, value=text)
        )
    if abs(number) > MAX_NUMBER:
        return None, str(_l("%(column)s %(value)r is too large.", column=label, value=text))
    return number, None


def _check_row(cells, lookup, ambiguous) -> tuple[ParsedRow | None, list[str]]:
    agency_name, indicator, source, score_text, max_text = cells
    errors: list[str] = []
    agency_id = lookup.get(agency_name)
    if not agency_name:
        errors.append(str(_l("The agency is missing.")))
    elif agency_name in ambiguous:
        errors.append(
            str(
                _l(
                    "%(name)r is the short name of several agencies; use the full name.",
                    name=agency_name,
                )
            )
        )
    elif agency_id is None:
        errors.append(
            str(_l("%(name)r is not an agency of this year's jurisdiction.", name=agency_name))
        )
    for text, label in ((indicator, COLUMNS[1]), (source, COLUMNS[2])):
        if not text:
            errors.append(str(_l("%(column)s is missing.", column=label)))
        elif len(text) > MAX_TEXT:
            errors.append(
                str(_l("%(column)s is longer than %(n)d characters.", column=label, n=MAX_TEXT))
            )
    score, problem = _decimal(score_text, COLUMNS[3])
    errors += [problem] if problem else []
    max_score, problem = _decimal(max_text, COLUMNS[4])
    errors += [problem] if problem else []
    if max_score is not None and max_score <= 0:
        errors.append(str(_l("The full score must be more than 0.")))
    elif score is not None and score < 0:
        errors.append(str(_l("The score cannot be negative.")))
    elif score is not None and max_score is not None and score > max_score:
        errors.append(str(_l("The score is higher than the full score.")))
    if errors:
        return None, errors
    return ParsedRow(0, agency_id, indicator, source, score, max_score), []


def _parse_sheet(
    session: Session, year: AssessmentYear, sheet, result: ImportResult[ParsedRow]
) -> None:
    rows = sheet.iter_rows(values_only=True)
    header = [cell_text(value) for value in next(rows, ()) or ()]
    while header and not header[-1]:
        header.pop()
    if header != COLUMNS:
        result.errors.append((1, str(_l("The columns must be: %(h)s", h=" | ".join(COLUMNS)))))
        return
    lookup, ambiguous = _agency_lookup(live_agencies(session, year))
    first_row: dict[tuple[int, str], int] = {}
    for number, values in enumerate(rows, start=2):
        cells = [cell_text(value) for value in (values or ())][: len(COLUMNS)]
        if not any(cells):
            continue
        if number > MAX_ROWS + 1:
            result.errors.append((number, str(_l("Too many rows (at most %(n)d).", n=MAX_ROWS))))
            return
        cells += [""] * (len(COLUMNS) - len(cells))
        parsed, errors = _check_row(cells, lookup, ambiguous)
        if parsed is not None:
            key = (parsed.agency_id, parsed.indicator)
            if key in first_row:
                errors.append(
                    str(
                        _l(
                            "The same agency and indicator are already on row %(row)d.",
                            row=first_row[key],
                        )
                    )
                )
            else:
                first_row[key] = number
        if errors:
            result.errors.extend((number, message) for message in errors)
        else:
            parsed.row_number = number
            result.rows.append(parsed)


def _already_imported(session: Session, year: AssessmentYear, file_hash: str) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(
                    IndicatorImport.year_id == year.id, IndicatorImport.file_sha256 == file_hash
                )
            )
        )
    )


def parse(session: Session, year: AssessmentYear, data: bytes) -> ImportResult[ParsedRow]:
    """Read and check the workbook against the year's agencies. Nothing is written."""
    result = ImportResult(file_hash=hashlib.sha256(data).hexdigest())
    if _already_imported(session, year, result.file_hash):
        result.errors.append((0, str(_l("This file has already been imported."))))
        return result
    read_first_sheet(data, result.errors, lambda sheet: _parse_sheet(session, year, sheet, result))
    if not result.errors and not result.rows:
        result.errors.append((0, str(_l("The workbook has no score rows."))))
    return result


def import_scores(
    session: Session, actor, year: AssessmentYear, filename: str, data: bytes
) -> IndicatorImport:
    """Store every row of the file as one import and audit it, or nothing (raises
    ``ImportRefused``). Flushes; the caller commits once."""
    if not year.is_editable:
        raise ImportRefused([(0, str(_l("This year is closed; nothing can be imported.")))])
    result = parse(session, year, data)
    if not result.ok:
        raise ImportRefused(result.errors)
    earlier = {(score.agency_id, score.indicator) for score in current_scores(session, year)}
    batch = IndicatorImport(
        year_id=year.id,
        filename=(filename or "")[:200],
        file_sha256=result.file_hash,
        row_count=len(result.rows),
        imported_by_id=actor.id,
    )
    try:
        with session.begin_nested():
            session.add(batch)
            session.flush()
    except IntegrityError:
        # The same file imported at the same moment by someone else.
        raise ImportRefused([(0, str(_l("This file has already been imported.")))]) from None
    session.add_all(
        PublicIndicatorScore(
            import_id=batch.id,
            year_id=year.id,
            agency_id=row.agency_id,
            indicator=row.indicator,
            source=row.source,
            score=row.score,
            max_score=row.max_score,
        )
        for row in result.rows
    )
    superseded = sum((row.agency_id, row.indicator) in earlier for row in result.rows)
    record(
        session,
        actor,
        "indicators.import",
        batch,
        jurisdiction_id=year.jurisdiction_id,
        after={
            "rows": len(result.rows),
            "agencies": len({row.agency_id for row in result.rows}),
            "indicators": len({row.indicator for row in result.rows}),
            "superseded": superseded,
            "filename": batch.filename,
            "file_sha256": result.file_hash,
        },
    )
    return batch
