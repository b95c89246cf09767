"""The agency portal's targets: the year's set, drafting and withdrawing (editor and leader),
submission (leader), adjustment requests, progress ledger and self-assessment.

Every view reads the agency from ``g.agency`` (set by the portal's guard) and every target
through ``own_target_or_404``: another agency's ids are not found, whatever the URL says.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.actions import commit_or_report, flash_error
from survey.clock import beijing_today
from survey.db import db
from survey.evidence.services import uploads
from survey.targets import adjustments, services, tracking
from survey.targets.forms import (
    AdjustmentForm,
    AssessmentForm,
    LedgerForm,
    RevisionForm,
    TargetForm,
)
from survey.targets.models import Completion
from survey.targets.queries import (
    deadline_flags,
    due_soon_days,
    own_target_or_404,
    set_of,
    target_records,
)
from survey.years.queries import no_open_year_message, working_year

agency_targets = Blueprint("targets", __name__, url_prefix="/targets")


def _year_or_message():
    year = working_year(db.session, g.agency)
    if year is None:
        flash_error(no_open_year_message(db.session, g.agency))
    return year


@agency_targets.route("/")
def index():
    year = _year_or_message()
    if year is None:
        return redirect(url_for("agency.home.index"))
    target_set = set_of(db.session, g.agency.id, year.id)
    problems = []
    if target_set is not None and target_set.is_editable:
        problems = services.submission_problems(target_set)
    flags = None
    if target_set is not None and target_set.state.value == "approved":
        flags = deadline_flags(target_set.live_targets, beijing_today(), due_soon_days(year))
    return render_template(
        "targets/agency/index.html",
        year=year,
        target_set=target_set,
        problems=problems,
        flags=flags,
        button=RevisionForm(),
    )


def _editable_set():
    year = _year_or_message()
    if year is None:
        abort(404)
    return services.get_or_create_set(db.session, g.agency, year)


@agency_targets.route("/new", methods=["GET", "POST"])
def create():
    target_set = _editable_set()
    if not target_set.is_editable:
        flash_error(_("Approved or submitted targets change only through an adjustment request."))
        return redirect(url_for(".index"))
    form = TargetForm()
    form.set_sections(g.agency.live_sections)
    if form.validate_on_submit():
        saved = commit_or_report(
            form.form_errors.append,
            lambda: services.save_target(db.session, current_user, target_set, form.values()),
        )
        if saved:
            flash(_("Target saved."), "success")
            return redirect(url_for(".index"))
    return render_template("targets/agency/form.html", form=form, target=None)


@agency_targets.route("/<int:target_id>/edit", methods=["GET", "POST"])
def edit(target_id: int):
    target = own_target_or_404(db.session, g.agency, target_id)
    if not target.target_set.is_editable:
        flash_error(_("Approved or submitted targets change only through an adjustment request."))
        return redirect(url_for(".show", target_id=target.id))
    form = TargetForm()
    form.set_sections(g.agency.live_sections)
    if request.method == "GET":
        form.fill(target)
    if form.validate_on_submit():
        saved = commit_or_report(
            form.form_errors.append,
            lambda: services.save_target(
                db.session,
                current_user,
                target.target_set,
                form.values(),
                target=target,
                revision=form.shown_revision,
            ),
        )
        if saved:
            flash(_("Target saved."), "success")
            return redirect(url_for(".index"))
    return render_template("targets/agency/form.html", form=form, target=target)


@agency_targets.route("/<int:target_id>/withdraw", methods=["POST"])
def withdraw(target_id: int):
    target = own_target_or_404(db.session, g.agency, target_id)
    form = RevisionForm()
    if form.validate_on_submit() and commit_or_report(
        flash_error,
        lambda: services.withdraw_target(db.session, current_user, target, form.shown_revision),
    ):
        flash(_("Target withdrawn."), "success")
    return redirect(url_for(".index"))


@agency_targets.route("/submit", methods=["POST"])
def submit():
    year = _year_or_message()
    target_set = set_of(db.session, g.agency.id, year.id) if year else None
    if target_set is None:
        abort(404)
    form = RevisionForm()
    if form.validate_on_submit() and commit_or_report(
        flash_error,
        lambda: services.submit_set(db.session, current_user, target_set, form.shown_revision),
    ):
        flash(_("Targets submitted to the supervision office for approval."), "success")
    return redirect(url_for(".index"))


@agency_targets.route("/<int:target_id>")
def show(target_id: int):
    target = own_target_or_404(db.session, g.agency, target_id)
    return _render_show(target)


def _render_show(target, **forms):
    assessment_form = forms.get("assessment_form") or AssessmentForm()
    if target.assessment is not None and "assessment_form" not in forms:
        assessment_form.fill(target.assessment)
    adjustment_form = forms.get("adjustment_form")
    if adjustment_form is None:
        adjustment_form = AdjustmentForm()
        adjustment_form.fill(target)
    adjustment_form.set_sections(g.agency.live_sections)
    ledger_form = forms.get("ledger_form") or LedgerForm()
    if ledger_form.entry_date.data is None and request.method == "GET":
        ledger_form.entry_date.data = beijing_today()
    return render_template(
        "targets/agency/show.html",
        target=target,
        target_set=target.target_set,
        ledger_form=ledger_form,
        assessment_form=assessment_form,
        adjustment_form=adjustment_form,
        records=target_records(db.session, target),
        readable_changes=adjustments.readable_changes,
        score_max=target.target_set.year.settings["self_score_max"],
    )


@agency_targets.route("/<int:target_id>/ledger", methods=["POST"])
def add_ledger_entry(target_id: int):
    target = own_target_or_404(db.session, g.agency, target_id)
    form = LedgerForm()
    if form.validate_on_submit():
        saved = commit_or_report(
            form.form_errors.append,
            lambda: tracking.add_ledger_entry(
                db.session,
                current_user,
                target,
                entry_date=form.entry_date.data,
                text=form.text.data,
                percent=form.percent.data,
                files=uploads(form.files.data),
                today=beijing_today(),
            ),
        )
        if saved:
            flash(_("Progress recorded."), "success")
            return redirect(url_for(".show", target_id=target.id))
    return _render_show(target, ledger_form=form)


@agency_targets.route("/<int:target_id>/assessment", methods=["POST"])
def save_assessment(target_id: int):
    target = own_target_or_404(db.session, g.agency, target_id)
    form = AssessmentForm()
    if form.validate_on_submit():
        saved = commit_or_report(
            form.form_errors.append,
            lambda: tracking.save_assessment(
                db.session,
                current_user,
                target,
                status=Completion(form.status.data),
                completed_on=form.completed_on.data,
                outcome=form.outcome.data,
                self_score=form.self_score.data,
                files=uploads(form.files.data),
                revision=form.shown_revision,
                today=beijing_today(),
            ),
        )
        if saved:
            flash(_("Self-assessment saved."), "success")
            return redirect(url_for(".show", target_id=target.id))
    return _render_show(target, assessment_form=form)


@agency_targets.route("/<int:target_id>/adjustments", methods=["POST"])
def request_adjustment(target_id: int):
    target = own_target_or_404(db.session, g.agency, target_id)
    form = AdjustmentForm()
    form.set_sections(g.agency.live_sections)
    if form.validate_on_submit():
        saved = commit_or_report(
            form.form_errors.append,
            lambda: adjustments.request_adjustment(
                db.session, current_user, target, form.values(), form.reason.data
            ),
        )
        if saved:
            flash(_("Adjustment request sent to the supervision office."), "success")
            return redirect(url_for(".show", target_id=target.id))
    return _render_show(target, adjustment_form=form)


@agency_targets.route("/assessment/submit", methods=["POST"])
def submit_assessment():
    year = _year_or_message()
    target_set = set_of(db.session, g.agency.id, year.id) if year else None
    if target_set is None:
        abort(404)
    form = RevisionForm()
    if form.validate_on_submit() and commit_or_report(
        flash_error,
        lambda: tracking.submit_assessment(
            db.session, current_user, target_set, form.shown_revision
        ),
    ):
        flash(_("Self-assessment submitted."), "success")
    return redirect(url_for(".index"))
