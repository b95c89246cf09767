"""The calendar for the 编办 (admin portal): the years it holds with their source, each
year's holidays and make-up days, the import of a notice and the correction of one day.
Everyone in the office may read it; only the top-level office changes it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from survey.actions import commit_or_report
from survey.db import db
from survey.forms import one_line
from survey.portals import viewer_may_read
from survey.workdays import importing, queries, services
from survey.workdays.models import CalendarYear

admin_calendar = Blueprint("calendar", __name__, url_prefix="/calendar")


class NoticeImportForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    file = FileField(_l("Notice file (.json or .xlsx)"), validators=[FileRequired()])


class CorrectionForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired()])
    kind = RadioField(
        _l("The day is"),
        choices=lambda: [("work", _l("a working day")), ("rest", _l("a rest day"))],
        validators=[InputRequired()],
    )
    name = StringField(_l("Name (e.g. 春节)"), filters=[one_line], validators=[Length(max=100)])
    notice = StringField(
        _l("Notice or reason"), filters=[one_line], validators=[DataRequired(), Length(max=300)]
    )


def _keeper_or_403() -> None:
    if not services.may_keep_calendar(current_user):
        abort(403)


@admin_calendar.route("/")
@viewer_may_read
def index():
    return render_template(
        "workdays/index.html",
        years=services.held_years(db.session),
        counts=queries.working_day_counts(db.session),
        may_keep=services.may_keep_calendar(current_user),
        form=NoticeImportForm(),
    )


@admin_calendar.route("/<int:calendar_year>")
@viewer_may_read
def year(calendar_year: int):
    held = db.session.get(CalendarYear, calendar_year)
    if held is None:
        abort(404)
    return render_template(
        "workdays/year.html",
        held=held,
        days=queries.exceptions_of(db.session, calendar_year),
        working=queries.working_day_counts(db.session).get(calendar_year, 0),
        may_keep=services.may_keep_calendar(current_user),
        form=CorrectionForm(),
    )


@admin_calendar.route("/import", methods=["POST"])
def import_notice():
    _keeper_or_403()
    form = NoticeImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        notice = importing.read_notice(upload.filename or "", upload.read(), form.year.data)
        done = commit_or_report(
            form.form_errors.append,
            lambda: services.import_notice(
                db.session, current_user, notice, source=f"import: {upload.filename}"
            ),
        )
        if done:
            flash(_("The calendar of %(year)d was imported.", year=notice.year), "success")
            return redirect(url_for(".year", calendar_year=notice.year))
    return render_template(
        "workdays/index.html",
        years=services.held_years(db.session),
        counts=queries.working_day_counts(db.session),
        may_keep=True,
        form=form,
    ), 400


@admin_calendar.route("/<int:calendar_year>/correct", methods=["POST"])
def correct(calendar_year: int):
    _keeper_or_403()
    held = db.session.get(CalendarYear, calendar_year)
    if held is None:
        abort(404)
    form = CorrectionForm()
    if form.validate_on_submit():
        if form.day.data.year != calendar_year:
            form.form_errors.append(_("The date is not in %(year)d.", year=calendar_year))
        elif commit_or_report(
            form.form_errors.append,
            lambda: services.correct_day(
                db.session,
                current_user,
                form.day.data,
                is_working_day=form.kind.data == "work",
                name=form.name.data,
                notice=form.notice.data,
            ),
        ):
            flash(_("The day was corrected."), "success")
            return redirect(url_for(".year", calendar_year=calendar_year))
    return render_template(
        "workdays/year.html",
        held=held,
        days=queries.exceptions_of(db.session, calendar_year),
        working=queries.working_day_counts(db.session).get(calendar_year, 0),
        may_keep=True,
        form=form,
    ), 400
