"""The year form: one number field per weight, band and rule of the configuration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, FormField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Regexp

from survey.years.config import (
    BAND_LABELS,
    DIMENSION_LABELS,
    DIMENSIONS,
    GROUP_LABELS,
    GROUPS,
    with_defaults,
)


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
    half_year_window = FormField(SummaryWindow, label=_l("Half-year summary accepted"))
    year_end_window = FormField(SummaryWindow, label=_l("Year-end summary accepted"))

    @classmethod
    def from_config(cls, config: dict, **kwargs):
        config = with_defaults(config)
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
            "half_year_window": config["summary_windows"]["half_year"],
            "year_end_window": config["summary_windows"]["year_end"],
        }
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
            "summary_windows": {
                "half_year": dict(self.half_year_window.data),
                "year_end": dict(self.year_end_window.data),
            },
        }

    def add_config_error(self, path: str, message: str) -> None:
        """Show a ConfigInvalid message beside the fields its path names: on one number, on a
        group of them (weights that do not add up, bands that do not fall), or on the form."""
        head, _, rest = path.partition(".")
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
