"""Form pieces shared by the features."""

from __future__ import annotations

import enum
import unicodedata

from flask_wtf import FlaskForm
from wtforms import HiddenField

from survey.numbers import plain_int

#: Control characters a text keeps: tab and line breaks (a textarea's paragraphs).
KEPT_CONTROLS = frozenset("\t\n\r")


def clean_text(value):
    """Text as it may be stored: every control character except tab and line breaks dropped.
    PostgreSQL refuses NUL in text (a 500 that loses what was typed) and SQLite would keep it
    in append-only records; the app's request class runs every submitted field and query
    parameter through this, so no form or view has to remember it."""
    if not isinstance(value, str):
        return value
    return "".join(ch for ch in value if ch in KEPT_CONTROLS or unicodedata.category(ch) != "Cc")


def one_line(value):
    """Filter for one-line text: surrounding white space stripped and control characters
    dropped (tabs and line breaks in a name are paste noise)."""
    if not isinstance(value, str):
        return value
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc").strip()


def enum_value(value) -> str:
    """``coerce`` for a select of enum values. A form filled from a model (``obj=``) gets the
    member itself, which ``str`` would turn into "Role.viewer" and so select no option."""
    return value.value if isinstance(value, enum.Enum) else str(value)


class ConfirmForm(FlaskForm):
    """An empty form: a POST button with its CSRF token."""


class RevisionForm(FlaskForm):
    """A button that acts on a row as the page showed it (``errors.check_revision``)."""

    revision = HiddenField()

    @property
    def shown_revision(self) -> int | None:
        return plain_int(self.revision.data or "")
