"""Counting working days, on plain data (a set of working days and the years it covers).

民法典 第201条: a period counted in days starts on the day after the start day.
民法典 第203条: a period whose last day is a rest day ends on the next working day.
A date outside the covered years is refused, never guessed from Monday–Friday."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from survey.errors import DomainError

ONE_DAY = dt.timedelta(days=1)


class YearNotHeld(DomainError):
    def __init__(self, year: int):
        super().__init__(
            _l(
                "The working-day calendar has no entries for %(year)d: import that year's"
                " holiday notice first.",
                year=year,
            )
        )
        self.year = year


@dataclass(frozen=True)
class WorkingCalendar:
    working_days: frozenset[dt.date]
    years: frozenset[int]
    provisional_years: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def of(cls, working: Iterable[dt.date], years, provisional=()) -> WorkingCalendar:
        return cls(frozenset(working), frozenset(years), frozenset(provisional))

    def _check(self, day: dt.date) -> None:
        if day.year not in self.years:
            raise YearNotHeld(day.year)

    def is_working_day(self, day: dt.date) -> bool:
        self._check(day)
        return day in self.working_days

    def is_provisional(self, *days: dt.date) -> bool:
        """True when a result rests on a year that lacks its notice's make-up days."""
        return any(day.year in self.provisional_years for day in days)

    def add_working_days(self, start: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``start`` (the start day itself never counts)."""
        if count < 1:
            raise DomainError(_l("Give a number of working days of at least 1."))
        day = start
        while count:
            day += ONE_DAY
            if self.is_working_day(day):
                count -= 1
        return day

    def count_working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is
        before ``start`` (days overdue)."""
        if end < start:
            return -self.count_working_days(end, start)
        self._check(start)
        self._check(end)
        return sum(1 for day in self.working_days if start < day <= end)

    def period_end(self, day: dt.date) -> dt.date:
        """A deadline given as a date: moved to the next working day when it is a rest day."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day
