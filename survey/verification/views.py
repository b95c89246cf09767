"""On-site verification for the 编办 (admin portal): an agency's visits and findings, its
targets with the self-score and the adjusted score, and its duty findings. Viewers may read
the agency's page; only supervisors record."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.actions import commit_or_report
from survey.agencies.models import Agency
from survey.agencies.queries import agency_or_404
from survey.db import db
from survey.portals import viewer_may_read
from survey.targets.queries import set_of, target_in_scope_or_404
from survey.verification import queries, services
from survey.verification.forms import (
    DutyFindingForm,
    ScoreAdjustmentForm,
    finding_texts,
    visit_form,
)
from survey.verification.models import Visit
from survey.years.models import AssessmentYear
from survey.years.queries import agency_year_or_404

admin_verification = Blueprint("verification", __name__, url_prefix="/verification")


def _agency_and_year(agency_id: int, year_id: int) -> tuple[Agency, AssessmentYear]:
    agency = agency_or_404(db.session, current_user, agency_id)
    return agency, agency_year_or_404(db.session, agency, year_id)


def _live_targets(agency: Agency, year: AssessmentYear) -> list:
    target_set = set_of(db.session, agency.id, year.id)
    return target_set.live_targets if target_set else []


def _visit(form) -> Visit | None:
    """The chosen visit: the choices are the agency's visits of the year, and the service
    checks it again."""
    return db.session.get(Visit, form.visit_id.data) if form.visit_id.data else None


def _back(agency: Agency, year: AssessmentYear):
    return redirect(url_for(".agency", agency_id=agency.id, year_id=year.id))


@admin_verification.route("/agency/<int:agency_id>/year/<int:year_id>")
@viewer_may_read
def agency(agency_id: int, year_id: int):
    agency, year = _agency_and_year(agency_id, year_id)
    target_set = set_of(db.session, agency.id, year.id)
    targets = target_set.live_targets if target_set else []
    ids = [target.id for target in targets]
    return render_template(
        "verification/agency.html",
        agency=agency,
        year=year,
        target_set=target_set,
        targets=targets,
        effective=queries.effective_scores(db.session, ids),
        history=queries.adjustment_history(db.session, ids),
        visits=queries.visits_of(db.session, agency.id, year.id),
        duty_findings=queries.duty_findings_of(db.session, agency.id, year.id),
        may_record=current_user.is_supervisor and year.is_editable,
    )


@admin_verification.route(
    "/agency/<int:agency_id>/year/<int:year_id>/visits/new", methods=["GET", "POST"]
)
def new_visit(agency_id: int, year_id: int):
    agency, year = _agency_and_year(agency_id, year_id)
    form = visit_form(_live_targets(agency, year))
    if form.validate_on_submit():
        recorded = commit_or_report(
            form.form_errors.append,
            lambda: services.record_visit(
                db.session,
                current_user,
                agency,
                year,
                visited_on=form.visited_on.data,
                people=form.people.data,
                methods=form.methods.data,
                summary=form.summary.data or "",
                findings=finding_texts(request.form),
            ),
        )
        if recorded:
            flash(_("The visit was recorded."), "success")
            return _back(agency, year)
    return render_template("verification/visit_form.html", agency=agency, year=year, form=form)


@admin_verification.route("/targets/<int:target_id>/adjust", methods=["GET", "POST"])
def adjust_score(target_id: int):
    target = target_in_scope_or_404(db.session, current_user, target_id)
    agency = agency_or_404(db.session, current_user, target.target_set.agency_id)
    year = agency_year_or_404(db.session, agency, target.target_set.year_id)
    form = ScoreAdjustmentForm()
    form.set_visits(queries.visits_of(db.session, agency.id, year.id))
    if form.validate_on_submit():
        adjusted = commit_or_report(
            form.form_errors.append,
            lambda: services.adjust_score(
                db.session,
                current_user,
                target,
                adjusted_score=form.score.data,
                reason=form.reason.data,
                visit=_visit(form),
            ),
        )
        if adjusted:
            flash(_("The adjusted score was recorded."), "success")
            return _back(agency, year)
    return render_template(
        "verification/adjust.html",
        agency=agency,
        year=year,
        target=target,
        history=queries.adjustment_history(db.session, [target.id])[target.id],
        form=form,
    )


@admin_verification.route(
    "/agency/<int:agency_id>/year/<int:year_id>/findings/new", methods=["GET", "POST"]
)
def new_finding(agency_id: int, year_id: int):
    agency, year = _agency_and_year(agency_id, year_id)
    form = DutyFindingForm()
    form.set_visits(queries.visits_of(db.session, agency.id, year.id))
    if form.validate_on_submit():
        recorded = commit_or_report(
            form.form_errors.append,
            lambda: services.record_duty_finding(
                db.session,
                current_user,
                agency,
                year,
                kind=form.kind.data,
                severity=form.severity.data,
                description=form.description.data,
                visit=_visit(form),
            ),
        )
        if recorded:
            flash(_("The duty finding was recorded."), "success")
            return _back(agency, year)
    return render_template("verification/finding_form.html", agency=agency, year=year, form=form)
