"""Verification forms. The rules live in the services; validators here only give friendly
messages for empty fields."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from survey.clock import beijing_today
from survey.forms import enum_value
from survey.verification.models import FindingKind, Method, Severity

FINDING_KEY = re.compile(r"finding-(\d+)")


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class VisitForm(FlaskForm):
    visited_on = DateField(
        _l("Date of the visit"),
        default=beijing_today,
        validators=[InputRequired(_l("Enter the date of the visit."))],
    )
    people = TextAreaField(
        _l("People taking part"),
        validators=[DataRequired(_l("Name the people who took part in the visit."))],
        description=_l("The supervisors who visited and the people of the agency they met."),
    )
    methods = CheckboxList(
        _l("Methods"),
        choices=lambda: [(method.value, method.label) for method in Method],
        validators=[DataRequired(_l("Choose at least one verification method."))],
    )
    summary = TextAreaField(_l("Summary"), validators=[Optional()])

    @property
    def finding_fields(self):
        return [field for field in self if FINDING_KEY.fullmatch(field.name)]


def visit_form(targets, **kwargs) -> VisitForm:
    """A visit form with one finding field per target, named ``finding-<target id>``."""

    class TargetVisitForm(VisitForm):
        pass

    for target in targets:
        field = TextAreaField(target.title, validators=[Optional()])
        setattr(TargetVisitForm, f"finding-{target.id}", field)
    return TargetVisitForm(**kwargs)


def finding_texts(formdata) -> dict[int, str]:
    """Every ``finding-<id>`` sent, fields of the form or not: the service refuses a target
    that is not the agency's, rather than the form dropping it without a word."""
    texts = {}
    for key in formdata:
        if match := FINDING_KEY.fullmatch(key):
            texts[int(match.group(1))] = formdata.get(key, "")
    return texts


def _visit_choice(form, visits) -> None:
    none = [(0, _l("Not tied to a visit"))]
    form.visit_id.choices = none + [(visit.id, str(visit.visited_on)) for visit in visits]


class ScoreAdjustmentForm(FlaskForm):
    score = DecimalField(
        _l("Adjusted score"),
        places=1,
        validators=[InputRequired(_l("Enter the adjusted score.")), NumberRange(min=0)],
    )
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("Give the reason for the adjustment."))]
    )
    visit_id = SelectField(_l("Visit"), coerce=int, default=0)

    def set_visits(self, visits) -> None:
        _visit_choice(self, visits)


class DutyFindingForm(FlaskForm):
    kind = RadioField(
        _l("Kind of finding"),
        choices=lambda: [(kind.value, kind.label) for kind in FindingKind],
        coerce=enum_value,
        validators=[InputRequired(_l("Choose the kind of finding."))],
    )
    severity = SelectField(
        _l("Severity"),
        choices=lambda: [(severity.value, severity.label) for severity in Severity],
        coerce=enum_value,
        default=Severity.minor.value,
    )
    description = TextAreaField(
        _l("Description"), validators=[DataRequired(_l("Describe the finding."))]
    )
    visit_id = SelectField(_l("Visit"), coerce=int, default=0)

    def set_visits(self, visits) -> None:
        _visit_choice(self, visits)
