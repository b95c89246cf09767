"""Form pieces shared by the features."""

from __future__ import annotations

import enum
import re

from flask import render_template, request
from flask_wtf import FlaskForm
from wtforms import HiddenField

from survey.numbers import plain_int

#: Unicode's control characters (category Cc: U+0000–U+001F, U+007F–U+009F), and those of
#: them a text drops: all but tab and line breaks (a textarea's paragraphs). One regular
#: expression, not a test per character: every field of every request passes through here.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
_DROPPED_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(value):
    """Text as it may be stored: every control character except tab and line breaks dropped.
    PostgreSQL refuses NUL in text (a 500 that loses what was typed) and SQLite would keep it
    in append-only records; the app's request class runs every submitted field and query
    parameter through this, so no form or view has to remember it."""
    if not isinstance(value, str):
        return value
    return _DROPPED_CONTROLS.sub("", value)


def one_line(value):
    """Filter for one-line text: surrounding white space stripped and control characters
    dropped (tabs and line breaks in a name are paste noise)."""
    if not isinstance(value, str):
        return value
    return _CONTROLS.sub("", value).strip()


def enum_value(value) -> str:
    """``coerce`` for a select of enum values. A form filled from a model (``obj=``) gets the
    member itself, which ``str`` would turn into "Role.viewer" and so select no option."""
    return value.value if isinstance(value, enum.Enum) else str(value)


class ConfirmForm(FlaskForm):
    """An empty form: a POST button with its CSRF token."""


CONFIRMED_FIELD = "confirmed"


def ask_first(*, title: str, what_happens: list[str], button: str, cancel_url: str):
    """The second step before what cannot be undone (closing a year or a survey, revoking
    tokens, deleting an agency, deactivating a user), without JavaScript: a POST from the
    page's button that lacks ``confirmed=1`` is answered with a page saying what will happen,
    whose own button posts the same form again with ``confirmed=1``. Returns that page, or
    None when the POST is confirmed (or has no valid CSRF token: the view refuses it as
    before). Call it after the record has been read and scoped."""
    if request.form.get(CONFIRMED_FIELD) == "1" or not ConfirmForm().validate_on_submit():
        return None
    keep = {
        key: value
        for key, value in request.form.items()
        if key not in {"csrf_token", CONFIRMED_FIELD}
    }
    return render_template(
        "_layouts/confirm.html",
        title=title,
        what_happens=what_happens,
        button=button,
        cancel_url=cancel_url,
        action=request.path,
        keep=keep,
    )


class RevisionForm(FlaskForm):
    """A button that acts on a row as the page showed it (``errors.check_revision``)."""

    revision = HiddenField()

    @property
    def shown_revision(self) -> int | None:
        return plain_int(self.revision.data or "")
