"""Changing the calendar: a year replaced from an imported notice, or one day corrected
(notices change mid-year, as the 2020 Spring Festival extension did). Only the office of a
top-level jurisdiction keeps the calendar; both changes are audited."""

from __future__ import annotations

import datetime as dt
import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.audit.services import record
from survey.db import utcnow
from survey.errors import DomainError
from survey.workdays.importing import Notice
from survey.workdays.models import CalendarDay, CalendarYear
from survey.workdays.seeding import MAKE_UP_DAY, notice_title

logger = logging.getLogger(__name__)


class NoticeRefused(DomainError):
    def __init__(self, errors: list[str]):
        super().__init__(errors[0])
        self.problems = errors


def may_keep_calendar(user) -> bool:
    return user.is_supervisor and user.jurisdiction.parent_id is None


def _check_keeper(actor) -> None:
    if not may_keep_calendar(actor):
        raise DomainError(_l("Only the office of the top-level jurisdiction keeps the calendar."))


def import_notice(session: Session, actor, notice: Notice, *, source: str) -> CalendarYear:
    """Replace every day of ``notice.year``: listed days as listed, the rest as the week."""
    _check_keeper(actor)
    if notice.errors:
        raise NoticeRefused(notice.errors)
    if not notice.days:
        raise NoticeRefused([str(_l("The file lists no days."))])
    if not 2000 <= notice.year <= 2100:
        raise NoticeRefused([str(_l("The year must be between 2000 and 2100."))])
    held = session.get(CalendarYear, notice.year)
    before = None
    if held is not None:
        before = {"source": held.source, "is_provisional": held.is_provisional}
        session.execute(delete(CalendarDay).where(CalendarDay.year == notice.year))
    else:
        held = CalendarYear(year=notice.year)
        session.add(held)
    title = notice.papers[0] if notice.papers else notice_title(notice.year)
    held.source, held.notice, held.is_provisional = source[:200], title, False
    held.loaded_at, held.loaded_by_id = utcnow(), actor.id
    session.flush()
    day = dt.date(notice.year, 1, 1)
    while day.year == notice.year:
        weekend = day.weekday() >= 5
        name, is_off = notice.days.get(day, ("", weekend))
        working = not is_off
        if working and weekend and not name:
            name = MAKE_UP_DAY
        session.add(
            CalendarDay(
                day=day,
                year=notice.year,
                is_working_day=working,
                name=name,
                notice=title if day in notice.days else "",
                is_exception=working == weekend,
            )
        )
        day += dt.timedelta(days=1)
    record(
        session,
        actor,
        "calendar.import",
        held,
        jurisdiction_id=actor.jurisdiction_id,
        before=before,
        after={
            "source": held.source,
            "notice": title,
            "days": {day.isoformat(): [n, off] for day, (n, off) in sorted(notice.days.items())},
        },
    )
    logger.info("%s imported the calendar of %s from %s", actor.username, notice.year, source)
    return held


def correct_day(
    session: Session, actor, day: dt.date, *, is_working_day: bool, name: str, notice: str
) -> CalendarDay:
    _check_keeper(actor)
    row = session.get(CalendarDay, day) if day else None
    if row is None:
        raise DomainError(_l("The calendar holds no such day: import its year first."))
    if not (notice or "").strip():
        raise DomainError(_l("Name the notice or reason for the correction."))
    if row.is_working_day == is_working_day and row.name == (name or "").strip():
        raise DomainError(_l("The day already reads like that; nothing was changed."))
    fields = ("is_working_day", "name", "notice")
    before = {field: getattr(row, field) for field in fields}
    row.is_working_day = is_working_day
    row.name = (name or "").strip()[:100]
    row.notice = notice.strip()
    row.is_exception = is_working_day == (day.weekday() >= 5)
    row.corrected_at, row.corrected_by_id = utcnow(), actor.id
    record(
        session,
        actor,
        "calendar.correct",
        row,
        jurisdiction_id=actor.jurisdiction_id,
        before={"day": day, **before},
        after={"day": day, **{field: getattr(row, field) for field in fields}},
    )
    logger.info("%s corrected calendar day %s", actor.username, day)
    return row


def held_years(session: Session) -> list[CalendarYear]:
    return list(session.scalars(select(CalendarYear).order_by(CalendarYear.year)))
