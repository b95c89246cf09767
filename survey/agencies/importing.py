"""Excel import of the agency list: validate every row, import all or nothing.

Columns: 机关名称, 简称, 类别 (第三条), 所属区域, 内设机构 (semicolon-separated; a leading
``*`` marks a business section). The downloadable template has the same header.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from xlsxwriter import Workbook

from survey.agencies import services
from survey.agencies.models import AGENCY_KIND_CHINESE, Agency, AgencyKind, Jurisdiction
from survey.spreadsheets import ImportResult, WorkbookRefused, open_workbook

HEADER = ("机关名称", "简称", "类别", "所属区域", "内设机构")
MAX_ROWS = 2000


@dataclass
class ParsedRow:
    row_number: int
    name: str
    short_name: str
    kind: AgencyKind
    jurisdiction: Jurisdiction
    sections: list[tuple[str, bool]]


def template_bytes(jurisdictions: list[Jurisdiction]) -> bytes:
    buffer = io.BytesIO()
    # Never turn a cell that starts with "=" into a formula (ASVS 1.2.10).
    workbook = Workbook(buffer, {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("机关名单")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, HEADER, bold)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 3, 14)
    sheet.set_column(4, 4, 50)
    help_sheet = workbook.add_worksheet("填写说明")
    notes = [
        "每行一个机关；第一行为表头，请勿修改。",
        "类别只能填写：" + "、".join(AGENCY_KIND_CHINESE.values()),
        "所属区域填写已建立的区域名称：" + "、".join(j.name for j in jurisdictions),
        "内设机构用英文分号 ; 分隔，业务科室在名称前加 *，例如：办公室;*法规科",
        "任何一行有错误时，整个文件都不会导入，页面会列出每一处错误。",
        "",
        "填写示例：",
    ]
    for row, note in enumerate(notes):
        help_sheet.write(row, 0, note)
    # The example lives here, not on the data sheet, so it is never imported by mistake.
    example_place = jurisdictions[0].name if jurisdictions else "枣庄市"
    help_sheet.write_row(len(notes), 0, HEADER, bold)
    help_sheet.write_row(
        len(notes) + 1,
        0,
        ("枣庄市示例局", "示例局", "行政机关", example_place, "办公室;*业务一科;*业务二科"),
    )
    help_sheet.set_column(0, 0, 90)
    workbook.close()
    return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _parse_sections(text: str) -> tuple[list[tuple[str, bool]], str | None]:
    sections, seen = [], set()
    for part in text.replace("；", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        is_business = part.startswith("*")
        name = part.lstrip("*").strip()
        if not name:
            return [], str(_l("A section name is empty."))
        if len(name) > 100:
            return [], str(_l("The section name %(name)s is too long.", name=name[:20]))
        if name in seen:
            return [], str(_l("The section %(name)s is listed twice.", name=name))
        seen.add(name)
        sections.append((name, is_business))
    return sections, None


def parse(
    session: Session, data: bytes, jurisdictions: list[Jurisdiction]
) -> ImportResult[ParsedRow]:
    """Read and validate the workbook. Nothing is written."""
    result = ImportResult()
    try:
        workbook = open_workbook(data)
    except WorkbookRefused as refused:
        result.errors.append((0, refused.message))
        return result
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = tuple(_cell(value) for value in next(rows, ()) or ())
    if header[: len(HEADER)] != HEADER:
        result.errors.append(
            (1, str(_l("The first row must be the template's header: %(h)s", h=" | ".join(HEADER))))
        )
        workbook.close()
        return result
    by_name = {j.name: j for j in jurisdictions}
    seen: dict[tuple[int, str], int] = {}
    existing = {
        (jurisdiction_id, name)
        for jurisdiction_id, name in session.execute(
            select(Agency.jurisdiction_id, Agency.name).where(Agency.deleted_at.is_(None))
        )
    }
    for number, values in enumerate(rows, start=2):
        cells = [_cell(value) for value in (values or ())][: len(HEADER)]
        cells += [""] * (len(HEADER) - len(cells))
        if not any(cells):
            continue
        if number > MAX_ROWS + 1:
            result.errors.append((number, str(_l("Too many rows (at most %(n)d).", n=MAX_ROWS))))
            break
        name, short_name, kind_text, place, sections_text = cells
        errors = []
        if not name:
            errors.append(str(_l("The agency name is missing.")))
        elif len(name) > 100:
            errors.append(str(_l("The agency name is longer than 100 characters.")))
        if len(short_name) > 50:
            errors.append(str(_l("The short name is longer than 50 characters.")))
        kind = AgencyKind.from_label(kind_text) if kind_text else None
        if kind is None:
            errors.append(
                str(
                    _l(
                        "Unknown kind %(kind)r; use one of: %(kinds)s",
                        kind=kind_text,
                        kinds="、".join(AGENCY_KIND_CHINESE.values()),
                    )
                )
            )
        jurisdiction = by_name.get(place)
        if jurisdiction is None:
            errors.append(str(_l("Unknown or inaccessible jurisdiction %(place)r.", place=place)))
        sections, section_error = _parse_sections(sections_text)
        if section_error:
            errors.append(section_error)
        if name and jurisdiction is not None:
            key = (jurisdiction.id, name)
            if key in seen:
                errors.append(str(_l("Same agency as row %(row)d.", row=seen[key])))
            elif key in existing:
                errors.append(str(_l("This agency already exists.")))
            seen.setdefault(key, number)
        if errors:
            result.errors.extend((number, message) for message in errors)
        else:
            result.rows.append(ParsedRow(number, name, short_name, kind, jurisdiction, sections))
    workbook.close()
    if not result.rows and not result.errors:
        result.errors.append((0, str(_l("The workbook has no agency rows."))))
    return result


def apply(session: Session, actor, result: ImportResult[ParsedRow]) -> list[Agency]:
    """Create every parsed agency and its sections. Call only when ``result.ok``."""
    if not result.ok:
        raise ValueError("refusing to import a workbook with errors")
    agencies = []
    for row in result.rows:
        agency = services.create_agency(
            session,
            actor,
            jurisdiction_id=row.jurisdiction.id,
            name=row.name,
            short_name=row.short_name,
            kind=row.kind,
        )
        for section_name, is_business in row.sections:
            services.create_section(
                session, actor, agency, name=section_name, is_business=is_business
            )
        agencies.append(agency)
    return agencies
