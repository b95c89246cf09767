"""Forms of the reports pages: the 意见建议, and which run (and agency) to build from."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from survey.reports.services import MAX_ADVICE


class AdviceForm(FlaskForm):
    text = TextAreaField(
        _l("意见建议 (the report's fourth part)"),
        validators=[InputRequired(), Length(max=MAX_ADVICE)],
        description=_l(
            "One paragraph a line. A line starting with （一）, （二）… becomes a subheading."
        ),
    )


class BuildForm(FlaskForm):
    run_id = SelectField(_l("Scoring run"), coerce=int, validators=[DataRequired()])


class FeedbackForm(BuildForm):
    agency_id = SelectField(_l("Agency"), coerce=int, default=0)
