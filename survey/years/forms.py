"""The year form: one number field per weight, band and rule of the configuration."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, Regexp

from survey.years.config import (
    BAND_LABELS,
    DIMENSION_LABELS,
    DIMENSIONS,
    GROUP_LABELS,
    GROUPS,
    with_defaults,
)
from survey.years.standards import CATEGORIES, SEVERITIES, standards_of


class NewYearForm(FlaskForm):
    jurisdiction_id = SelectField(_l("Jurisdiction"), coerce=int, validators=[DataRequired()])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])


def _weight(label):
    return DecimalField(label, places=3, validators=[InputRequired(), NumberRange(0, 1)])


def _subform(fields: dict):
    class Sub(FlaskForm):
        class Meta:
            csrf = False

    for name, field in fields.items():
        setattr(Sub, name, field)
    return Sub


DimensionWeights = _subform({name: _weight(DIMENSION_LABELS[name]) for name in DIMENSIONS})
GroupWeights = _subform({name: _weight(GROUP_LABELS[name]) for name in GROUPS})
Bands = _subform(
    {
        name: DecimalField(
            BAND_LABELS[name], places=1, validators=[InputRequired(), NumberRange(0, 100)]
        )
        for name in BAND_LABELS
    }
)
MinGroupN = _subform(
    {
        name: IntegerField(GROUP_LABELS[name], validators=[InputRequired(), NumberRange(1, 100000)])
        for name in GROUPS
    }
)

_MONTH_DAY = Regexp(
    r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", message=_l("Write MM-DD, e.g. 07-15.")
)
SummaryWindow = _subform(
    {
        "opens": StringField(_l("From (MM-DD)"), validators=[InputRequired(), _MONTH_DAY]),
        "closes": StringField(_l("To (MM-DD)"), validators=[InputRequired(), _MONTH_DAY]),
    }
)


CATEGORY_LABELS = {
    "party_government": _l("Key work of the Party committee and government"),
    "core_duty": _l("Core duties (主责主业)"),
    "system_task": _l("Key tasks within the system"),
    "coordination": _l("Coordination and cooperation"),
    "other": _l("Other duties"),
}
SEVERITY_LABELS = {
    "minor": _l("Minor"),
    "moderate": _l("Moderate"),
    "serious": _l("Serious"),
}


def _points(label, high=100):
    return DecimalField(label, places=2, validators=[InputRequired(), NumberRange(0, high)])


class _Checkboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


TimelinessRules = _subform(
    {
        "late_deduction_per_day": _points(_l("Points off per day late")),
        "late_floor": _points(_l("Lowest score of a target done late")),
        "not_done_score": _points(_l("Score of a target not done by its deadline")),
        "target_weighting": SelectField(
            _l("Targets count"),
            choices=lambda: [("equal", _l("Equally")), ("category", _l("By category weight"))],
        ),
    }
)
CategoryWeights = _subform({name: _points(CATEGORY_LABELS[name], 10) for name in CATEGORIES})
CoverageRules = _subform(
    {
        "category_share": _weight(_l("Share of the points for categories (rest: sections)")),
        "required_categories": _Checkboxes(
            _l("Required categories"),
            choices=lambda: [(c, CATEGORY_LABELS[c]) for c in CATEGORIES],
        ),
    }
)
FindingDeductions = _subform({name: _points(SEVERITY_LABELS[name]) for name in SEVERITIES})
SourceRules = _subform(
    {
        "self_weight": _weight(_l("Weight of the verified self-assessment")),
        "indicator_weight": _weight(_l("Weight of imported public-indicator scores")),
        "bonus_cap": _points(_l("Most bonus points"), 20),
        "deduction_cap": _points(_l("Most deduction points"), 20),
    }
)
STANDARD_GROUPS = {
    "standards_timeliness": (
        "late_deduction_per_day",
        "late_floor",
        "not_done_score",
        "target_weighting",
    ),
    "standards_coverage": ("category_share", "required_categories"),
    "standards_sources": ("self_weight", "indicator_weight", "bonus_cap", "deduction_cap"),
}


def _day(value):
    return dt.date.fromisoformat(value) if value else None


class YearConfigForm(FlaskForm):
    dimension_weights = FormField(DimensionWeights, label=_l("Dimension weights"))
    group_weights_effectiveness = FormField(GroupWeights, label=_l("Group weights: effectiveness"))
    group_weights_cooperation = FormField(GroupWeights, label=_l("Group weights: cooperation"))
    bands = FormField(Bands, label=_l("Grade bands (composite score)"))
    min_group_n = FormField(MinGroupN, label=_l("Minimum responses per agency for a full score"))
    min_cell_size = IntegerField(
        _l("Smallest group shown broken down"), validators=[InputRequired(), NumberRange(1, 1000)]
    )
    min_targets = IntegerField(
        _l("Targets required per agency"), validators=[InputRequired(), NumberRange(1, 100)]
    )
    min_targets_per_business_section = IntegerField(
        _l("Targets required per business section"),
        validators=[InputRequired(), NumberRange(0, 100)],
    )

    self_score_max = IntegerField(
        _l("Full marks of a self-score"), validators=[InputRequired(), NumberRange(1, 1000)]
    )
    due_soon_days = IntegerField(
        _l("Flag targets due within (days)"), validators=[InputRequired(), NumberRange(0, 366)]
    )
    objection_closes = DateField(
        _l("Objections to published results accepted until"), validators=[Optional()]
    )
    half_year_window = FormField(SummaryWindow, label=_l("Half-year summary accepted"))
    year_end_window = FormField(SummaryWindow, label=_l("Year-end summary accepted"))
    standards_timeliness = FormField(TimelinessRules, label=_l("Standards: timeliness"))
    category_weights = FormField(CategoryWeights, label=_l("Standards: weight per category"))
    standards_coverage = FormField(CoverageRules, label=_l("Standards: comprehensiveness"))
    finding_deductions = FormField(
        FindingDeductions, label=_l("Standards: points off per duty finding")
    )
    standards_sources = FormField(
        SourceRules, label=_l("Standards: effectiveness sources and bonus/deduction caps")
    )

    @classmethod
    def from_config(cls, config: dict, **kwargs):
        config = with_defaults(config)
        standards = standards_of(config)
        data = {
            "dimension_weights": config["dimension_weights"],
            "group_weights_effectiveness": config["group_weights"]["effectiveness"],
            "group_weights_cooperation": config["group_weights"]["cooperation"],
            "bands": config["bands"],
            "min_group_n": config["min_group_n"],
            "min_cell_size": config["min_cell_size"],
            "min_targets": config["min_targets"],
            "min_targets_per_business_section": config["min_targets_per_business_section"],
            "self_score_max": config["self_score_max"],
            "due_soon_days": config["due_soon_days"],
            "objection_closes": _day(config.get("objection_closes")),
            "half_year_window": config["summary_windows"]["half_year"],
            "year_end_window": config["summary_windows"]["year_end"],
            "category_weights": standards["category_weights"],
            "finding_deductions": standards["finding_deductions"],
        }
        for group, names in STANDARD_GROUPS.items():
            data[group] = {name: standards[name] for name in names}
        return cls(data=data, **kwargs)

    def to_config(self) -> dict:
        def floats(sub):
            return {name: float(value) for name, value in sub.data.items()}

        return {
            "dimension_weights": floats(self.dimension_weights),
            "group_weights": {
                "effectiveness": floats(self.group_weights_effectiveness),
                "cooperation": floats(self.group_weights_cooperation),
            },
            "bands": floats(self.bands),
            "min_group_n": dict(self.min_group_n.data),
            "min_cell_size": self.min_cell_size.data,
            "min_targets": self.min_targets.data,
            "min_targets_per_business_section": self.min_targets_per_business_section.data,
            "self_score_max": self.self_score_max.data,
            "due_soon_days": self.due_soon_days.data,
            "objection_closes": (
                self.objection_closes.data.isoformat() if self.objection_closes.data else None
            ),
            "summary_windows": {
                "half_year": dict(self.half_year_window.data),
                "year_end": dict(self.year_end_window.data),
            },
            "standards": self._standards(floats),
        }

    def _standards(self, floats) -> dict:
        standards = {
            "category_weights": floats(self.category_weights),
            "finding_deductions": floats(self.finding_deductions),
        }
        for group in STANDARD_GROUPS:
            for name, value in getattr(self, group).data.items():
                standards[name] = float(value) if hasattr(value, "as_tuple") else value
        standards["required_categories"] = list(standards["required_categories"] or [])
        return standards

    def add_config_error(self, path: str, message: str) -> None:
        """Show a ConfigInvalid message beside the fields its path names: on one number, on a
        group of them (weights that do not add up, bands that do not fall), or on the form."""
        head, _, rest = path.partition(".")
        if head == "standards":
            head, _, rest = rest.partition(".")
            head, rest = _standard_field(head, rest)
        if head == "summary_windows" and rest:
            head, rest = f"{rest}_window", ""
        if head == "group_weights" and rest:
            dimension, _, rest = rest.partition(".")
            head = f"group_weights_{dimension}"
        field = getattr(self, head, None) if head else None
        if isinstance(field, FormField):
            sub = getattr(field.form, rest, None) if rest else None
            if sub is None:
                # A FormField's own ``errors`` is a fresh dict each time: the message goes
                # on its form, which the template shows at the top of the fieldset.
                field.form.form_errors.append(message)
                return
            field = sub
        if field is None:
            self.form_errors.append(message)
        else:
            field.errors.append(message)


def _standard_field(name: str, rest: str) -> tuple[str, str]:
    """(form field, sub-field) of a ``standards.<name>[.<rest>]`` error path."""
    if name in ("category_weights", "finding_deductions"):
        return name, rest
    for group, names in STANDARD_GROUPS.items():
        if name in names:
            return group, name
    return "", ""
