"""Loading the calendar from the database for the arithmetic in ``arithmetic``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from survey.workdays.arithmetic import WorkingCalendar
from survey.workdays.models import CalendarDay, CalendarYear


def calendar_for(session: Session, years: Iterable[int]) -> WorkingCalendar:
    """The working days of ``years`` that the table holds; a year it lacks stays out, so
    counting into it is refused."""
    wanted = sorted(set(years))
    held = session.execute(
        select(CalendarYear.year, CalendarYear.is_provisional).where(CalendarYear.year.in_(wanted))
    ).all()
    working = session.scalars(
        select(CalendarDay.day).where(
            CalendarDay.year.in_([year for year, _ in held]), CalendarDay.is_working_day
        )
    )
    return WorkingCalendar.of(
        working, [year for year, _ in held], [year for year, prov in held if prov]
    )


def calendar_around(session: Session, day: dt.date, *, years_after: int = 2) -> WorkingCalendar:
    """Enough of the calendar for deadlines counted from ``day`` (60 working days and more)."""
    return calendar_for(session, range(day.year - 1, day.year + years_after + 1))


def working_day_counts(session: Session) -> dict[int, int]:
    return dict(
        session.execute(
            select(CalendarDay.year, func.count())
            .where(CalendarDay.is_working_day)
            .group_by(CalendarDay.year)
        ).all()
    )


def exceptions_of(session: Session, year: int) -> list[CalendarDay]:
    """The days of ``year`` that differ from the plain week, or have a name or a correction."""
    return list(
        session.scalars(
            select(CalendarDay)
            .where(
                CalendarDay.year == year,
                CalendarDay.is_exception
                | (CalendarDay.name != "")
                | CalendarDay.corrected_at.is_not(None),
            )
            .order_by(CalendarDay.day)
        )
    )
