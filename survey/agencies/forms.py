from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from survey.agencies.models import AgencyKind
from survey.forms import enum_value, one_line


def kind_choices():
    return [(kind.value, kind.label) for kind in AgencyKind]


class JurisdictionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)], filters=[one_line])


class NewJurisdictionForm(JurisdictionForm):
    # A new jurisdiction always nests under one the office supervises; the city itself
    # comes from the demo loader or the CLI.
    parent_id = SelectField(_l("Part of"), coerce=int, validators=[DataRequired()])


class AgencyForm(FlaskForm):
    jurisdiction_id = SelectField(_l("Jurisdiction"), coerce=int, validators=[DataRequired()])
    name = StringField(
        _l("Full name"), validators=[DataRequired(), Length(max=100)], filters=[one_line]
    )
    short_name = StringField(
        _l("Short name"), validators=[Optional(), Length(max=50)], filters=[one_line]
    )
    kind = SelectField(
        _l("Kind (第三条)"), choices=kind_choices, coerce=enum_value, validators=[DataRequired()]
    )


class SectionForm(FlaskForm):
    name = StringField(
        _l("Section name"), validators=[DataRequired(), Length(max=100)], filters=[one_line]
    )
    is_business = BooleanField(_l("Business section (业务科室)"))


class AgencyFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=50)], filters=[one_line])
    jurisdiction_id = SelectField(_l("Jurisdiction"), coerce=int, validators=[Optional()])
    kind = SelectField(_l("Kind"), validators=[Optional()])
    show_deleted = BooleanField(_l("Show deleted agencies"))


class ImportForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"), validators=[FileRequired()])
