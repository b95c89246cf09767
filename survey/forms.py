"""Form pieces shared by the features."""

from __future__ import annotations

import enum
import unicodedata

from flask_wtf import FlaskForm
from wtforms import HiddenField

from survey.numbers import plain_int


def one_line(value):
    """Filter for one-line text: surrounding white space stripped and control characters
    dropped. PostgreSQL refuses NUL in text (a 500 instead of a message); tabs and line
    breaks in a name are paste noise."""
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
