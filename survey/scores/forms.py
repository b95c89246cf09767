"""Forms of the scores pages: a 加减分 item, its reversal, and the final mark's confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length


class ScoreItemForm(FlaskForm):
    agency_id = SelectField(_l("Agency"), coerce=int, validators=[DataRequired()])
    points = StringField(
        _l("Points (positive: bonus, negative: deduction)"),
        validators=[InputRequired(), Length(max=10)],
    )
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=2000)])
    basis = StringField(
        _l("Basis (document number or evidence)"), validators=[InputRequired(), Length(max=200)]
    )
    files = MultipleFileField(_l("Evidence files"))


class ReverseItemForm(FlaskForm):
    reason = StringField(_l("Why it is reversed"), validators=[InputRequired(), Length(max=500)])


class FinaliseForm(FlaskForm):
    confirm = BooleanField(
        _l("I have checked this run: it becomes the year's final result."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
