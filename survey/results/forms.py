"""Forms of the results pages: publishing a run, an agency's objection, the decision on it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from survey.results.models import ObjectionSubject, Outcome


class PublishForm(FlaskForm):
    confirm = BooleanField(
        _l("I have checked this run: every agency will see its own result and may object."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class ObjectionForm(FlaskForm):
    subject = SelectField(
        _l("What the objection is about"),
        choices=lambda: [(s.value, s.label) for s in ObjectionSubject],
        validators=[DataRequired()],
    )
    reason = TextAreaField(
        _l("Reason and the facts it rests on"),
        validators=[InputRequired(_l("Give the reason for the objection.")), Length(max=4000)],
    )
    files = MultipleFileField(_l("Evidence files"))


class DecisionForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"),
        choices=lambda: [(o.value, o.label) for o in Outcome],
        validators=[InputRequired(_l("Choose to accept or to reject the objection."))],
    )
    correction = StringField(
        _l("Correction made (when accepted)"),
        description=_l(
            "E.g. a bonus or deduction item recorded, a verified score adjusted, a flagged "
            "response reviewed; compute a new run afterwards."
        ),
        validators=[Length(max=300)],
    )
    reason = TextAreaField(
        _l("Reason (the agency reads it)"),
        validators=[InputRequired(_l("Give the reason for the decision.")), Length(max=4000)],
    )
