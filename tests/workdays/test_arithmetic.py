"""The issue's vectors and the Civil Code rules, on the calendar the migration seeded."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.errors import DomainError
from survey.workdays.arithmetic import WorkingCalendar, YearNotHeld
from survey.workdays.queries import calendar_for

D = dt.date


@pytest.fixture
def calendar(db_session) -> WorkingCalendar:
    return calendar_for(db_session, range(2025, 2029))


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (D(2026, 9, 1), 60, D(2026, 11, 30)),
        (D(2026, 1, 5), 60, D(2026, 4, 3)),
        # 2026-02-14 (Saturday) is a make-up working day: one working day after Friday 13th
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        # Spring Festival: Sunday 15th to Monday 23rd are rest days
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        # the start day never counts, even when it is a working day (art. 201)
        (D(2026, 9, 1), 1, D(2026, 9, 2)),
        # across the year end
        (D(2026, 12, 31), 1, D(2027, 1, 4)),
    ],
)
def test_adding_working_days(calendar, start, count, expected):
    assert calendar.add_working_days(start, count) == expected


def test_2026_has_248_working_days(calendar):
    assert calendar.count_working_days(D(2025, 12, 31), D(2026, 12, 31)) == 248


def test_counting_is_the_inverse_of_adding(calendar):
    start = D(2026, 9, 1)
    assert calendar.count_working_days(start, calendar.add_working_days(start, 60)) == 60
    assert calendar.count_working_days(D(2026, 11, 30), start) == -60


def test_a_period_ending_on_a_rest_day_runs_to_the_next_working_day(calendar):
    assert calendar.period_end(D(2026, 10, 1)) == D(2026, 10, 8)  # National Day week
    assert calendar.period_end(D(2026, 10, 10)) == D(2026, 10, 10)  # make-up Saturday
    assert calendar.period_end(D(2026, 10, 9)) == D(2026, 10, 9)


def test_a_year_the_table_lacks_is_refused(calendar):
    with pytest.raises(YearNotHeld) as refused:
        calendar.add_working_days(D(2027, 12, 1), 60)
    assert refused.value.year == 2028
    with pytest.raises(YearNotHeld):
        calendar.count_working_days(D(2026, 1, 1), D(2028, 6, 1))


def test_the_next_year_is_marked_provisional(calendar):
    assert calendar.is_provisional(D(2027, 3, 1))
    assert not calendar.is_provisional(D(2026, 3, 1))


def test_a_count_below_one_is_refused(calendar):
    with pytest.raises(DomainError):
        calendar.add_working_days(D(2026, 1, 5), 0)


def test_never_plain_monday_to_friday():
    empty = WorkingCalendar.of([], [])
    with pytest.raises(YearNotHeld):
        empty.is_working_day(D(2026, 3, 2))
