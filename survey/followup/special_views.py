"""Special-supervision cases for the 编办 (admin portal): the list with days left and overdue
cases flagged, opening a case, its findings, its rectification items and its conclusion."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from survey.actions import commit_or_report, flash_error
from survey.agencies.models import Agency, Jurisdiction
from survey.agencies.queries import jurisdiction_or_404, scope_ids, visible_agencies
from survey.clock import beijing_today
from survey.db import db
from survey.followup import special_services as services
from survey.followup.forms import flash_form_errors
from survey.followup.models import RectificationItem
from survey.followup.special import CaseOrigin, SpecialCase
from survey.forms import one_line
from survey.portals import viewer_may_read

admin_special = Blueprint("special", __name__, url_prefix="/special")


class CaseForm(FlaskForm):
    matter = StringField(
        _l("Matter"), filters=[one_line], validators=[DataRequired(), Length(max=200)]
    )
    description = TextAreaField(_l("Description"), validators=[Optional()])
    origin = SelectField(
        _l("How the case arose"), choices=lambda: [(o.value, o.label) for o in CaseOrigin]
    )
    procedure = StringField(
        _l("Procedure"), default="一事一办", filters=[one_line], validators=[Length(max=100)]
    )
    start_on = DateField(_l("Start date"), default=beijing_today, validators=[InputRequired()])
    agency_ids = SelectMultipleField(_l("Agencies concerned"), coerce=int, choices=[])


class FindingForm(FlaskForm):
    agency_id = SelectField(_l("Agency"), coerce=int, choices=[])
    text = TextAreaField(_l("Finding"), validators=[DataRequired()])


class ConcludeForm(FlaskForm):
    conclusion = TextAreaField(_l("Conclusion"), validators=[DataRequired()])


def _case_or_404(case_id: int) -> SpecialCase:
    case = db.session.get(SpecialCase, case_id)
    if case is None or case.jurisdiction_id not in scope_ids(db.session, current_user):
        abort(404)
    return case


@admin_special.route("/")
@viewer_may_read
def index():
    return render_template(
        "followup/special/index.html",
        rows=services.case_rows(db.session, scope_ids(db.session, current_user), beijing_today()),
    )


@admin_special.route("/new", methods=["GET", "POST"])
def new():
    form = CaseForm()
    agencies = visible_agencies(db.session, current_user)
    form.agency_ids.choices = [(a.id, a.name) for a in agencies]
    if form.validate_on_submit():
        chosen = [a for a in agencies if a.id in set(form.agency_ids.data)]
        jurisdiction = (
            jurisdiction_or_404(db.session, current_user, chosen[0].jurisdiction_id)
            if chosen
            else db.session.get(Jurisdiction, current_user.jurisdiction_id)
        )
        opened = commit_or_report(
            form.form_errors.append,
            lambda: services.open_case(
                db.session,
                current_user,
                jurisdiction,
                matter=form.matter.data,
                origin=form.origin.data,
                agencies=chosen,
                start_on=form.start_on.data,
                description=form.description.data or "",
                procedure=form.procedure.data,
            ),
        )
        if opened:
            flash(_("The special-supervision case was opened."), "success")
            return redirect(url_for(".show", case_id=opened.value.id))
    return render_template("followup/special/new.html", form=form)


@admin_special.route("/<int:case_id>")
@viewer_may_read
def show(case_id: int):
    case = _case_or_404(case_id)
    (row,) = [
        r
        for r in services.case_rows(db.session, [case.jurisdiction_id], beijing_today())
        if r.case.id == case.id
    ]
    finding_form = FindingForm()
    finding_form.agency_id.choices = [(a.id, a.name) for a in case.agencies]
    items = db.session.scalars(
        select(RectificationItem)
        .where(RectificationItem.case_id == case.id)
        .order_by(RectificationItem.id)
    ).all()
    return render_template(
        "followup/special/show.html",
        case=case,
        row=row,
        items=items,
        finding_form=finding_form,
        conclude_form=ConcludeForm(),
    )


@admin_special.route("/<int:case_id>/findings", methods=["POST"])
def add_finding(case_id: int):
    case = _case_or_404(case_id)
    form = FindingForm()
    form.agency_id.choices = [(a.id, a.name) for a in case.agencies]
    if not form.validate_on_submit():
        flash_form_errors(form, flash_error)
    elif commit_or_report(
        flash_error,
        lambda: services.record_finding(
            db.session,
            current_user,
            case,
            db.session.get(Agency, form.agency_id.data),
            form.text.data,
        ),
    ):
        flash(_("The finding was recorded."), "success")
    return redirect(url_for(".show", case_id=case.id))


@admin_special.route("/<int:case_id>/conclude", methods=["POST"])
def conclude(case_id: int):
    case = _case_or_404(case_id)
    form = ConcludeForm()
    if not form.validate_on_submit():
        flash_form_errors(form, flash_error)
    elif commit_or_report(
        flash_error, lambda: services.conclude(db.session, current_user, case, form.conclusion.data)
    ):
        flash(_("The case was concluded."), "success")
    return redirect(url_for(".show", case_id=case.id))
