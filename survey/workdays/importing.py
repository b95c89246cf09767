"""Reading a year's holiday notice: JSON in the NateScarlet/holiday-cn shape
(``{"year": 2027, "papers": [url], "days": [{"name", "date", "isOffDay"}]}``) or a small Excel
sheet with the columns 日期, 名称, 休息/上班. Only the days that differ from the plain week are
listed; every problem is reported, and a file with any problem imports nothing."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from survey.spreadsheets import cell_text, read_first_sheet

COLUMNS = ["日期", "名称", "休息/上班"]
OFF_WORDS = {"休息", "休", "放假"}
ON_WORDS = {"上班", "班", "补班", "调休上班"}
MAX_DAYS = 100


@dataclass
class Notice:
    year: int
    papers: list[str] = field(default_factory=list)
    days: dict[dt.date, tuple[str, bool]] = field(default_factory=dict)  # date: (name, is_off)
    errors: list[str] = field(default_factory=list)

    def add(self, where: str, raw_date, name: str, is_off) -> None:
        try:
            day = raw_date if isinstance(raw_date, dt.date) else dt.date.fromisoformat(raw_date)
        except (TypeError, ValueError):
            self.errors.append(
                str(
                    _l(
                        "%(where)s: %(value)r is not a date (YYYY-MM-DD).",
                        where=where,
                        value=raw_date,
                    )
                )
            )
            return
        if isinstance(day, dt.datetime):
            day = day.date()
        if day.year != self.year:
            self.errors.append(
                str(
                    _l(
                        "%(where)s: %(date)s is not in %(year)d.",
                        where=where,
                        date=day,
                        year=self.year,
                    )
                )
            )
        elif day in self.days:
            self.errors.append(
                str(_l("%(where)s: %(date)s is listed twice.", where=where, date=day))
            )
        elif not isinstance(is_off, bool):
            self.errors.append(
                str(
                    _l(
                        "%(where)s: say whether %(date)s is a rest day or a working day.",
                        where=where,
                        date=day,
                    )
                )
            )
        else:
            self.days[day] = ((name or "").strip()[:100], is_off)


def read_json(data: bytes, year: int) -> Notice:
    notice = Notice(year)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        notice.errors.append(str(_l("The file is not valid JSON.")))
        return notice
    if not isinstance(document, dict) or not isinstance(document.get("days"), list):
        notice.errors.append(str(_l('The JSON file needs a "days" list (holiday-cn format).')))
        return notice
    if document.get("year") != year:
        notice.errors.append(
            str(
                _l(
                    "The file is for %(found)s, not %(year)d.",
                    found=document.get("year"),
                    year=year,
                )
            )
        )
        return notice
    notice.papers = [str(p) for p in document.get("papers") or [] if isinstance(p, str)]
    if len(document["days"]) > MAX_DAYS:
        notice.errors.append(str(_l("The file lists more than %(max)d days.", max=MAX_DAYS)))
        return notice
    for number, entry in enumerate(document["days"], start=1):
        where = str(_l("Entry %(number)d", number=number))
        if not isinstance(entry, dict):
            notice.errors.append(str(_l("%(where)s is not an object.", where=where)))
            continue
        notice.add(where, entry.get("date"), str(entry.get("name") or ""), entry.get("isOffDay"))
    return notice


def read_xlsx(data: bytes, year: int) -> Notice:
    notice = Notice(year)
    problems: list = []

    def read(sheet):
        rows = sheet.iter_rows(values_only=True)
        head = [cell_text(value) for value in next(rows, ())][:3]
        if head != COLUMNS:
            notice.errors.append(
                str(_l("The first row must be: %(columns)s.", columns=" | ".join(COLUMNS)))
            )
            return
        for number, row in enumerate(rows, start=2):
            cells = list(row[:3]) + [None] * (3 - len(row[:3]))
            if all(cell in (None, "") for cell in cells):
                continue
            word = cell_text(cells[2])
            is_off = True if word in OFF_WORDS else False if word in ON_WORDS else None
            raw = cells[0] if isinstance(cells[0], dt.date) else cell_text(cells[0])
            notice.add(str(_l("Row %(number)d", number=number)), raw, cell_text(cells[1]), is_off)
            if len(notice.days) > MAX_DAYS:
                notice.errors.append(
                    str(_l("The file lists more than %(max)d days.", max=MAX_DAYS))
                )
                return

    read_first_sheet(data, problems, read)
    notice.errors.extend(message for _row, message in problems)
    return notice


def read_notice(filename: str, data: bytes, year: int) -> Notice:
    if filename.lower().endswith(".json"):
        return read_json(data, year)
    if filename.lower().endswith(".xlsx"):
        return read_xlsx(data, year)
    notice = Notice(year)
    notice.errors.append(str(_l("Upload a .json or an .xlsx file.")))
    return notice
