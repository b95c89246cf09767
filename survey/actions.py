"""Running a service call as the request's one transaction (STYLE rule 4).

Every write view does the same thing: call a service, commit when it succeeds, and when a
domain rule is broken roll the whole request back and show the rule's message. This is that
one piece.
"""

from __future__ import annotations

import functools
import logging
import random
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg.errors
from flask import flash, g, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from survey.db import WRITE_METHODS, db
from survey.errors import DatabaseBusy, DomainError, StaleRecord

logger = logging.getLogger(__name__)


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
        if not is_sqlite_busy(error) or g.get("write_attempt", WRITE_ATTEMPTS) < WRITE_ATTEMPTS:
            raise  # a fault, or ``retrying`` runs the request again
        db.session.rollback()
        report(str(DatabaseBusy().message))
        return Outcome(False)
    return Outcome(True, value)


def is_sqlite_busy(error: OperationalError) -> bool:
    """SQLite's "database is locked": another connection wrote first (after this one's read
    began, or for longer than the busy timeout). Any other operational error is a fault."""
    return isinstance(error.orig, sqlite3.OperationalError) and "locked" in str(error.orig)


# -- a bounded retry for every write request ----------------------------------------------------

#: Attempts of one write request when the database asks for a retry (SQLite busy past its
#: timeout, PostgreSQL serialization failure or deadlock); the last error is the answer.
WRITE_ATTEMPTS = 4


def is_retryable(error: Exception) -> bool:
    """An error after which the same request, run again from the start, may succeed."""
    if isinstance(error, OperationalError) and is_sqlite_busy(error):
        return True
    if isinstance(error, DBAPIError):
        return isinstance(
            error.orig, psycopg.errors.SerializationFailure | psycopg.errors.DeadlockDetected
        )
    return False


def _start_over() -> None:
    """Forget the failed attempt: its transaction, its session, what it read of the uploads."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
    for storage in request.files.values():
        storage.stream.seek(0)


def retrying(dispatch: Callable[[], object]) -> Callable[[], object]:
    """Wrap ``Flask.dispatch_request``: a write request whose transaction the database refused
    for a retryable reason runs again, up to ``WRITE_ATTEMPTS`` times with a short random
    pause, so no form's answers are lost to a moment of contention (issue 17 item 2). Each
    attempt is the whole request in one transaction, so a retry never doubles a write."""

    @functools.wraps(dispatch)
    def dispatch_with_retry():
        if request.method not in WRITE_METHODS:
            return dispatch()
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            g.write_attempt = attempt
            try:
                return dispatch()
            except DBAPIError as error:
                if attempt == WRITE_ATTEMPTS or not is_retryable(error):
                    raise
                logger.warning(
                    "retrying %s %s (attempt %d): %s",
                    request.method,
                    request.path,
                    attempt,
                    type(error.orig).__name__,
                )
                _start_over()
                time.sleep(random.uniform(0.02, 0.1) * attempt)  # noqa: S311 -- jitter only
        raise AssertionError("unreachable")

    return dispatch_with_retry
