"""The filing form: text, special plans (work plan only) and files."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import TextAreaField
from wtforms.validators import Length

from survey.forms import RevisionForm


class FilingForm(RevisionForm):
    text = TextAreaField(_l("Text"), validators=[Length(max=20000)])
    special_plans = TextAreaField(
        _l("Special business plans (专项业务计划)"), validators=[Length(max=20000)]
    )
    files = MultipleFileField(_l("Attached files"))
