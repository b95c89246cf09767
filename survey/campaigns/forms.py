"""Campaign forms. Times are entered in Beijing time and stored in UTC."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from survey.campaigns.models import AccessMode
from survey.clock import SHANGHAI
from survey.forms import enum_value, one_line


def to_utc(local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=SHANGHAI).astimezone(dt.UTC)


def to_local(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(SHANGHAI).replace(tzinfo=None)


class CheckboxList(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CampaignForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(), Length(max=200)], filters=[one_line]
    )
    version_id = SelectField(_l("Questionnaire"), coerce=int, validators=[DataRequired()])
    agency_ids = CheckboxList(_l("Agencies rated"), coerce=int)
    opens_at = DateTimeLocalField(
        _l("Opens (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    closes_at = DateTimeLocalField(
        _l("Closes (Beijing time)"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    access_mode = RadioField(
        _l("Access"),
        choices=lambda: [(mode.value, mode.label) for mode in AccessMode],
        coerce=enum_value,
        default=AccessMode.open_link.value,
    )
    min_seconds = IntegerField(
        _l("Minimum completion time (seconds)"),
        default=20,
        validators=[InputRequired(), NumberRange(min=0, max=3600)],
        description=_l("Open links: faster answers are kept but flagged for review."),
    )
    device_limit = IntegerField(
        _l("Answers per phone, per agency, per day"),
        default=1,
        validators=[InputRequired(), NumberRange(min=1, max=1000)],
        description=_l("Open links: answers beyond this from one phone are kept but flagged."),
    )
    address_limit = IntegerField(
        _l("Answers per network address, per hour"),
        default=200,
        validators=[InputRequired(), NumberRange(min=1, max=100000)],
        description=_l(
            "Open links: a whole service hall or a public Wi-Fi may share one address, so set "
            "this generously; answers beyond it are kept but flagged."
        ),
    )


class TokenForm(FlaskForm):
    count = IntegerField(
        _l("Number of tokens"), default=50, validators=[InputRequired(), NumberRange(1, 5000)]
    )
    rater_agency_id = SelectField(
        _l("Rating agency (peer review)"), coerce=int, validators=[Optional()]
    )
    output = RadioField(
        _l("Download as"),
        choices=lambda: [
            ("pdf", _l("Printable QR slips (PDF)")),
            ("csv", _l("List of links (CSV)")),
        ],
        default="pdf",
    )
