"""Deadline warnings for rectification items, counted in working days on the calendar.

Three colours, after 宿迁's 三色督办单:
- red: overdue (the deadline passed and measures are not yet submitted);
- yellow: behind plan: not acknowledged within 3 working days of issue, or no progress
  report by the middle of the period, or returned after verification;
- blue: near the deadline: at most 5 working days left.
A deadline in a year the calendar does not hold gets no colour but says so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from survey.followup.lifecycle import RUNNING
from survey.followup.models import ItemState, RectificationItem
from survey.types import LabelledEnum
from survey.workdays.arithmetic import WorkingCalendar, YearNotHeld

ACKNOWLEDGE_WITHIN = 3
DUE_SOON_WITHIN = 5


class Colour(LabelledEnum):
    red = ("red", _l("Red: overdue"))
    yellow = ("yellow", _l("Yellow: behind plan"))
    blue = ("blue", _l("Blue: deadline near"))


@dataclass(frozen=True)
class Warning:
    colour: Colour | None
    days_left: int | None  # working days; negative when overdue
    provisional: bool = False
    unknown: bool = False  # the calendar lacks the deadline's year


def warning_of(item: RectificationItem, today: dt.date, calendar: WorkingCalendar) -> Warning:
    if item.state not in RUNNING:
        return Warning(None, None)
    try:
        left = calendar.count_working_days(today, item.due_on)
        elapsed = calendar.count_working_days(item.issued_on, today)
        period = calendar.count_working_days(item.issued_on, item.due_on)
    except YearNotHeld:
        return Warning(None, None, unknown=True)
    provisional = calendar.is_provisional(today, item.due_on)
    if today > item.due_on:
        return Warning(Colour.red, left, provisional)
    behind = (
        (item.state is ItemState.issued and elapsed > ACKNOWLEDGE_WITHIN)
        or (item.state in {ItemState.issued, ItemState.acknowledged} and 2 * elapsed > period)
        or item.state is ItemState.returned
    )
    if behind:
        return Warning(Colour.yellow, left, provisional)
    if left <= DUE_SOON_WITHIN:
        return Warning(Colour.blue, left, provisional)
    return Warning(None, left, provisional)
