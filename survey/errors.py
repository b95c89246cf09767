"""Domain errors and their mapping to HTTP, plus the error pages."""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain was broken; the message is shown to the user as it is."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class StaleRecord(DomainError):
    """The row changed after the form showing it was opened: the save is refused, not merged."""

    def __init__(self):
        super().__init__(
            _l(
                "Someone else changed this record after you opened it. Your changes were not"
                " saved: open it again to see the current version."
            )
        )


def check_revision(row, revision: int | None) -> None:
    """Refuse a save made from a form that showed an older revision of ``row``."""
    if revision is not None and revision != row.revision:
        raise StaleRecord()


class DatabaseBusy(DomainError):
    """SQLite let another write in first (one writer at a time): nothing was saved."""

    def __init__(self):
        super().__init__(
            _l("Another save was being written at the same moment. Nothing was saved: try again.")
        )


ERROR_TITLES = {
    400: _l("Bad request"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("File too large"),
    429: _l("Too many requests"),
    500: _l("Server error"),
}
ERROR_TEXTS = {
    400: _l("The request could not be understood. Go back and try again."),
    403: _l("You do not have permission to open this page."),
    404: _l("The page you asked for does not exist or has been removed."),
    405: _l("This address does not accept this kind of request."),
    413: _l("The uploaded file is larger than allowed (5 MB)."),
    429: _l("Too many attempts. Please wait a minute and try again."),
    500: _l("Something went wrong on our side. Nothing you saved before was lost."),
}


def render_error(code: int, message=None):
    template = "errors/error.html"
    return (
        render_template(
            template,
            code=code,
            title=ERROR_TITLES.get(code, ERROR_TITLES[500]),
            message=message or ERROR_TEXTS.get(code, ERROR_TEXTS[500]),
        ),
        code,
    )


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        logger.info("CSRF failure on %s %s: %s", request.method, request.path, error.description)
        return render_error(
            400,
            _l("The form expired or was sent from another page. Reload the page and submit again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code < 400:
            return error
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        from survey.db import db  # late: errors must load before the database

        try:
            db.session.rollback()
        except Exception:  # a broken connection must not hide the original error
            logger.exception("Rollback after an unhandled error failed")
        return render_error(500)
