"""The days of a year as the maintained ``holidays`` package gives them (China: statutory
holidays and the State Council's 调休 make-up working days), as plain rows.

Checked against ``chinesecalendar`` 1.11.0 (tests/workdays/test_seeding.py): the two agree on
every day of 2006–2026. ``chinesecalendar`` stops at 2026 and raises for 2027, so it cannot
seed the next year; ``holidays`` has next year's statutory days but not its make-up days until
the notice is out, so such a year is marked provisional until the office imports the notice.
The migration seeds from here once; later changes go through import or correction."""

from __future__ import annotations

import datetime as dt

import holidays

SEEDED_YEARS = range(2016, 2028)
# The last year whose make-up working days the package holds (checked for 0.108).
LAST_COMPLETE_YEAR = 2026
MAKE_UP_DAY = "调休上班"


def notice_title(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


def source_label(year: int) -> str:
    label = f"holidays {holidays.__version__}"
    if year <= LAST_COMPLETE_YEAR:
        return f"{label} (agrees with chinesecalendar 1.11.0)"
    return f"{label} (statutory holidays only)"


def year_rows(year: int) -> dict:
    """``{"year": {...}, "days": [{...}, ...]}`` for every date of ``year``."""
    # Neighbouring years too: a make-up day can belong to the previous year's holiday.
    china = holidays.China(years=range(year - 1, year + 2), language="zh_CN")
    make_up = set(china.weekend_workdays)
    provisional = year > LAST_COMPLETE_YEAR
    notice = "" if provisional else notice_title(year)
    days = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        weekend = day.weekday() >= 5
        if day in make_up:
            working, name = True, MAKE_UP_DAY
        elif day in china:
            working, name = False, china.get(day)
        else:
            working, name = not weekend, ""
        days.append(
            {
                "day": day,
                "year": year,
                "is_working_day": working,
                "name": name[:100],
                "notice": notice if name else "",
                "is_exception": working == weekend,
            }
        )
        day += dt.timedelta(days=1)
    return {
        "year": {
            "year": year,
            "source": source_label(year),
            "notice": notice,
            "is_provisional": provisional,
        },
        "days": days,
    }
