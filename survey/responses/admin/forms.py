"""Forms of the results pages: the flag filter, a flag review, the paper/phone import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from survey.responses.models import FlagReason


def reason_choices():
    return [("", _l("All reasons"))] + [(reason.value, reason.label) for reason in FlagReason]


class FlagFilterForm(FlaskForm):
    class Meta:
        csrf = False

    reason = SelectField(_l("Flag reason"), choices=reason_choices, validators=[Optional()])
    page = IntegerField(_l("Page"), validators=[Optional()])


class ReviewForm(FlaskForm):
    response_id = HiddenField(validators=[InputRequired()])
    decision = RadioField(
        _l("Decision"),
        choices=lambda: [("include", _l("Include in the results")), ("exclude", _l("Exclude"))],
        validators=[InputRequired(message=_l("Choose to include or exclude the response."))],
    )
    reason = TextAreaField(
        _l("Reason (required)"),
        validators=[
            DataRequired(message=_l("Write down why you decided so.")),
            Length(max=500),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )


class ResponseImportForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"), validators=[FileRequired()])
