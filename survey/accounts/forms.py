from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from survey.accounts.models import Role
from survey.forms import ConfirmForm, enum_value, one_line

__all__ = ["ConfirmForm"]  # its home is survey.forms; importable here as before

USERNAME_PATTERN = r"^[A-Za-z0-9_.\-]+$"


class LoginForm(FlaskForm):
    username = StringField(
        _l("User name"), validators=[DataRequired(), Length(max=50)], filters=[one_line]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


def role_choices():
    return [(role.value, role.label) for role in Role]


class UserForm(FlaskForm):
    username = StringField(
        _l("User name"),
        validators=[
            DataRequired(),
            Length(max=50),
            Regexp(USERNAME_PATTERN, message=_l("Use letters, digits, '.', '_' or '-' only.")),
        ],
        filters=[one_line],
    )
    display_name = StringField(
        _l("Name"), validators=[DataRequired(), Length(max=100)], filters=[one_line]
    )
    role = SelectField(
        _l("Role"), choices=role_choices, coerce=enum_value, validators=[DataRequired()]
    )
    jurisdiction_id = SelectField(_l("Jurisdiction"), coerce=int, validators=[Optional()])
    agency_id = SelectField(_l("Agency"), coerce=int, validators=[Optional()])


class NewUserForm(UserForm):
    password = PasswordField(
        _l("Initial password"),
        validators=[DataRequired(), Length(max=128)],
        description=_l("The user must change it at first login."),
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New one-time password"), validators=[DataRequired(), Length(max=128)]
    )


class ActiveFilterForm(FlaskForm):
    class Meta:
        csrf = False

    show_inactive = BooleanField(_l("Show deactivated accounts"))
