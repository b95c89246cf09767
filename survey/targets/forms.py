"""Forms for targets, adjustment requests, ledger entries, self-assessments and reviews.

A draft target may leave fields empty (the rules are checked at submission); empty selects and
dates become None. Every form that changes an existing row carries the revision it showed.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from survey.forms import RevisionForm, one_line
from survey.numbers import plain_int
from survey.targets.models import Category, Completion, Duty, Oversight

BLANK = ("", "—")
LONG_TEXT = Length(max=4000)


def _enum_choices(enum_class):
    return lambda: [BLANK, *((member.value, member.label) for member in enum_class)]


def _optional_enum(enum_class):
    return lambda value: enum_class(value) if value else None


class TargetForm(RevisionForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=200)], filters=[one_line]
    )
    category = SelectField(_l("Indicator category"), choices=_enum_choices(Category))
    duty = SelectField(_l("Duty attribute"), choices=_enum_choices(Duty))
    basis = TextAreaField(
        _l("Basis (设定依据)"),
        validators=[LONG_TEXT],
        description=_l("The 三定 clause, the Party committee or government task, the plan …"),
    )
    standard = TextAreaField(_l("Quantitative standard (量化标准)"), validators=[LONG_TEXT])
    section_id = SelectField(_l("Responsible section (承办科室)"), choices=[])
    leader = StringField(
        _l("Leader in charge (分管领导)"), validators=[Length(max=50)], filters=[one_line]
    )
    deadline = DateField(_l("Deadline (完成时限)"), validators=[Optional()])
    expected_outcome = TextAreaField(_l("Expected outcome (预期成效)"), validators=[LONG_TEXT])
    oversight = SelectField(_l("Supervision"), choices=_enum_choices(Oversight))

    def set_sections(self, sections) -> None:
        self.section_id.choices = [BLANK, *((str(s.id), s.name) for s in sections)]

    def fill(self, target) -> None:
        """Show a stored target (GET)."""
        for name in ("title", "basis", "standard", "leader", "deadline", "expected_outcome"):
            getattr(self, name).data = getattr(target, name)
        for name in ("category", "duty", "oversight"):
            value = getattr(target, name)
            getattr(self, name).data = value.value if value else ""
        self.section_id.data = str(target.section_id) if target.section_id else ""
        self.revision.data = str(target.revision)

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "category": _optional_enum(Category)(self.category.data),
            "duty": _optional_enum(Duty)(self.duty.data),
            "basis": (self.basis.data or "").strip(),
            "standard": (self.standard.data or "").strip(),
            "section_id": plain_int(self.section_id.data or ""),
            "leader": self.leader.data or "",
            "deadline": self.deadline.data,
            "expected_outcome": (self.expected_outcome.data or "").strip(),
            "oversight": _optional_enum(Oversight)(self.oversight.data),
        }


class AdjustmentForm(TargetForm):
    reason = TextAreaField(_l("Reason for the change"), validators=[DataRequired(), LONG_TEXT])


class LedgerForm(FlaskForm):
    entry_date = DateField(_l("Date"), validators=[InputRequired()])
    text = TextAreaField(_l("Progress"), validators=[DataRequired(), LONG_TEXT])
    percent = IntegerField(_l("Completed (%)"), validators=[InputRequired(), NumberRange(0, 100)])
    files = MultipleFileField(_l("Evidence files"))


class AssessmentForm(RevisionForm):
    status = SelectField(
        _l("Completion"),
        choices=lambda: [(member.value, member.label) for member in Completion],
        validators=[DataRequired()],
    )
    completed_on = DateField(
        _l("Completed on"),
        validators=[Optional()],
        description=_l("Needed when the target is completed."),
    )
    outcome = TextAreaField(_l("Outcome"), validators=[DataRequired(), LONG_TEXT])
    self_score = DecimalField(
        _l("Self-score"), places=1, validators=[InputRequired(), NumberRange(min=0)]
    )
    files = MultipleFileField(_l("Evidence files"))

    def fill(self, assessment) -> None:
        self.status.data = assessment.status.value
        self.completed_on.data = assessment.completed_on
        self.outcome.data = assessment.outcome
        self.self_score.data = assessment.self_score
        self.revision.data = str(assessment.revision)


class ReviewForm(RevisionForm):
    comment = TextAreaField(_l("Comments"), validators=[LONG_TEXT])
    decision = SelectField(
        _l("Decision"),
        choices=lambda: [("approve", _l("Approve")), ("return", _l("Return for revision"))],
        validators=[DataRequired()],
    )


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("Comments"), validators=[LONG_TEXT])
    decision = SelectField(
        _l("Decision"),
        choices=lambda: [("approve", _l("Approve")), ("reject", _l("Reject"))],
        validators=[DataRequired()],
    )
