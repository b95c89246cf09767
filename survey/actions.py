"""Running a service call as the request's one transaction (STYLE rule 4).

Every write view does the same thing: call a service, commit when it succeeds, and when a
domain rule is broken roll the whole request back and show the rule's message. This is that
one piece.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from flask import flash
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from survey.db import db
from survey.errors import DatabaseBusy, DomainError, StaleRecord


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: object = None

    def __bool__(self) -> bool:
        return self.ok


def flash_error(message: str) -> None:
    flash(message, "error")


def commit_or_report(report: Callable[[str], None], action: Callable[[], object]) -> Outcome:
    """Run ``action``; commit and return its value, or roll back and ``report`` the message
    (a form's error list's ``append``, or ``flash_error``) — each of its ``problems`` when the
    error lists several. A row changed by another request since it was read (its revision
    moved on: ``StaleDataError``) is reported the same way, never overwritten."""
    try:
        value = action()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        for message in getattr(error, "problems", None) or [error.message]:
            report(str(message))
        return Outcome(False)
    except StaleDataError:
        db.session.rollback()
        report(str(StaleRecord().message))
        return Outcome(False)
    except OperationalError as error:
        if not is_sqlite_busy(error):
            raise
        db.session.rollback()
        report(str(DatabaseBusy().message))
        return Outcome(False)
    return Outcome(True, value)


def is_sqlite_busy(error: OperationalError) -> bool:
    """SQLite's "database is locked": another connection wrote first (after this one's read
    began, or for longer than the busy timeout). Any other operational error is a fault."""
    return isinstance(error.orig, sqlite3.OperationalError) and "locked" in str(error.orig)
