"""The seeded calendar against chinesecalendar, the other maintained package."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest
from sqlalchemy import select

from survey.workdays.models import CalendarDay, CalendarYear


@pytest.mark.parametrize("year", range(2016, 2027))
def test_every_seeded_day_agrees_with_chinesecalendar(db_session, year):
    days = db_session.execute(
        select(CalendarDay.day, CalendarDay.is_working_day).where(CalendarDay.year == year)
    ).all()
    assert len(days) == (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    disagreeing = [day for day, working in days if working != chinese_calendar.is_workday(day)]
    assert disagreeing == []


def test_every_year_records_its_source(db_session):
    years = {row.year: row for row in db_session.scalars(select(CalendarYear))}
    assert set(years) >= set(range(2016, 2028))
    assert years[2026].source.startswith("holidays 0.108")
    assert years[2026].notice == "国务院办公厅关于2026年部分节假日安排的通知"
    assert not years[2026].is_provisional
    # the package lacks 2027's make-up days until the notice is out
    assert years[2027].is_provisional
    assert years[2027].notice == ""


def test_make_up_days_and_holidays_carry_their_names(db_session):
    assert db_session.get(CalendarDay, dt.date(2026, 2, 14)).name == "调休上班"
    assert db_session.get(CalendarDay, dt.date(2026, 2, 14)).is_working_day
    spring = db_session.get(CalendarDay, dt.date(2026, 2, 17))
    assert (spring.name, spring.is_working_day, spring.is_exception) == ("春节", False, True)
