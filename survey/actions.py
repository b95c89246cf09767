"""Running a service call as the request's one transaction (STYLE rule 4).

Every write view does the same thing: call a service, commit when it succeeds, and when a
domain rule is broken roll the whole request back and show the rule's message. This is that
one piece.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash

from survey.db import db
from survey.errors import DomainError


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
    (a form's error list's ``append``, or ``flash_error``)."""
    try:
        value = action()
    except DomainError as error:
        db.session.rollback()
        report(str(error.message))
        return Outcome(False)
    db.session.commit()
    return Outcome(True, value)
