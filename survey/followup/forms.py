"""Follow-up forms. The rules live in the services; validators here give friendly messages
for empty or malformed fields only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from survey.followup.models import ItemState, SourceKind
from survey.followup.services import REVIEW_AFTER_DAYS
from survey.followup.warnings import Colour
from survey.forms import one_line
from survey.numbers import MAX_ID


def _choices(enum_class, blank=None):
    def build():
        options = [(member.value, member.label) for member in enum_class]
        return [("", blank), *options] if blank is not None else options

    return build


class IssueForm(FlaskForm):
    source_kind = SelectField(_l("Source of the problem"), choices=_choices(SourceKind))
    source_id = IntegerField(
        _l("Number of the source record"),
        validators=[Optional(), NumberRange(min=1, max=MAX_ID)],
        description=_l("The duty finding, target, scoring run or special-supervision case."),
    )
    title = StringField(
        _l("Title"), filters=[one_line], validators=[DataRequired(), Length(max=200)]
    )
    requirement = TextAreaField(_l("What must be rectified"), validators=[DataRequired()])
    due_on = DateField(_l("Deadline (a date)"), validators=[Optional()])
    working_days = IntegerField(
        _l("or: deadline in working days after issue"),
        validators=[Optional(), NumberRange(min=1, max=500)],
    )
    section_id = SelectField(_l("Responsible section"), coerce=int, choices=[])
    responsible_leader = StringField(
        _l("Responsible leader"), filters=[one_line], validators=[Length(max=100)]
    )

    def set_sections(self, sections) -> None:
        self.section_id.choices = lambda: [(0, "—")] + [(s.id, s.name) for s in sections]


class MoveForm(FlaskForm):
    """What a move says: the measures, the progress, the reason or the review's note."""

    text = TextAreaField(_l("Text"), validators=[Optional()])
    review_after = SelectField(
        _l("Review after"),
        coerce=int,
        choices=lambda: [(days, _l("%(days)d days", days=days)) for days in REVIEW_AFTER_DAYS],
        validators=[Optional()],
        validate_choice=False,  # the service refuses another number, with its message
    )
    files = MultipleFileField(_l("Evidence files"))


def flash_form_errors(form, flash_error) -> None:
    for field in form:
        for error in field.errors:
            flash_error(f"{field.label.text}: {error}")


class ExtensionForm(FlaskForm):
    due_on = DateField(_l("New deadline"), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired()])


class DecisionForm(FlaskForm):
    decision = SelectField(
        _l("Decision"),
        choices=lambda: [("approve", _l("Approve")), ("reject", _l("Refuse"))],
    )
    note = TextAreaField(_l("Note"), validators=[Optional()])


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    state = SelectField(
        _l("State"), choices=_choices(ItemState, _l("All")), validators=[Optional()]
    )
    source = SelectField(
        _l("Source"), choices=_choices(SourceKind, _l("All")), validators=[Optional()]
    )
    colour = SelectField(_l("Colour"), choices=_choices(Colour, _l("All")), validators=[Optional()])
    agency_id = SelectField(_l("Agency"), coerce=int, choices=[], validators=[Optional()])
    jurisdiction_id = SelectField(
        _l("Jurisdiction"), coerce=int, choices=[], validators=[Optional()]
    )
