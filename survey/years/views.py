"""Assessment years and their configuration (admin)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.actions import commit_or_report, flash_error
from survey.agencies.queries import jurisdiction_or_404, scope_ids, visible_jurisdictions
from survey.db import db
from survey.errors import DomainError
from survey.forms import ConfirmForm, ask_first
from survey.portals import viewer_may_read
from survey.years import services
from survey.years.config import ConfigInvalid
from survey.years.forms import NewYearForm, YearConfigForm
from survey.years.models import AssessmentYear
from survey.years.queries import year_or_404
from survey.years.standards import describe, standards_of

admin_years = Blueprint("years", __name__, url_prefix="/years")


def _year_or_404(year_id) -> AssessmentYear:
    return year_or_404(db.session, current_user, year_id)


@admin_years.route("/")
@viewer_may_read
def index():
    years = db.session.scalars(
        select(AssessmentYear)
        .where(AssessmentYear.jurisdiction_id.in_(scope_ids(db.session, current_user)))
        .order_by(AssessmentYear.year.desc(), AssessmentYear.jurisdiction_id)
    ).all()
    return render_template(
        "years/years.html", years=years, form=NewYearForm(), confirm=ConfirmForm()
    )


@admin_years.route("/new", methods=["GET", "POST"])
def create():
    form = NewYearForm()
    form.jurisdiction_id.choices = [
        (j.id, j.name) for j in visible_jurisdictions(db.session, current_user)
    ]
    if form.validate_on_submit():
        jurisdiction = jurisdiction_or_404(db.session, current_user, form.jurisdiction_id.data)
        created = commit_or_report(
            form.year.errors.append,
            lambda: services.create_year(
                db.session, current_user, jurisdiction_id=jurisdiction.id, year=form.year.data
            ),
        )
        if created:
            year = created.value
            flash(
                _("Year %(year)d created with the default configuration.", year=year.year),
                "success",
            )
            return redirect(url_for(".show", year_id=year.id))
    return render_template("years/year_new.html", form=form)


@admin_years.route("/<int:year_id>", methods=["GET", "POST"])
@viewer_may_read
def show(year_id: int):
    year = _year_or_404(year_id)
    form = YearConfigForm.from_config(year.config)
    if form.validate_on_submit():
        try:
            services.update_config(db.session, current_user, year, form.to_config())
        except ConfigInvalid as invalid:
            db.session.rollback()
            for path, message in invalid.errors:
                form.add_config_error(path, message)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("The configuration of %(year)d was saved.", year=year.year), "success")
            return redirect(url_for(".show", year_id=year.id))
    return render_template(
        "years/year.html",
        year=year,
        form=form,
        confirm=ConfirmForm(),
        standards_text=describe(standards_of(year.settings)),
    )


def _transition(year_id: int, action, message: str):
    year = _year_or_404(year_id)
    if ConfirmForm().validate_on_submit() and commit_or_report(
        flash_error, lambda: action(db.session, current_user, year)
    ):
        flash(message % {"year": year.year}, "success")
    return redirect(url_for(".show", year_id=year.id))


@admin_years.route("/<int:year_id>/open", methods=["POST"])
def open_year(year_id: int):
    return _transition(year_id, services.open_year, _("Year %(year)d is open."))


@admin_years.route("/<int:year_id>/close", methods=["POST"])
def close_year(year_id: int):
    year = _year_or_404(year_id)
    asked = ask_first(
        title=_("Close year %(year)d?", year=year.year),
        what_happens=[
            _(
                "The year's targets, ledgers, filings, self-assessments and scores "
                "can no longer change."
            ),
            _("Agencies can still read their records; nobody can add to them."),
            _("A closed year is never opened again."),
        ],
        button=_("Close the year"),
        cancel_url=url_for(".show", year_id=year.id),
    )
    if asked:
        return asked
    checks = current_app.extensions.get("year_close_checks", ())
    return _transition(
        year_id,
        lambda session, actor, year: services.close_year(session, actor, year, checks),
        _("Year %(year)d is closed; it can no longer change."),
    )
