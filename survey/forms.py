"""Form pieces shared by the features."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError


class Stripped:
    """Filter: strip surrounding white space from text input."""

    def __call__(self, value):
        return value.strip() if isinstance(value, str) else value


strip = Stripped()


def not_blank(form, field):
    if not (field.data or "").strip():
        raise ValidationError(_l("This field is required."))
