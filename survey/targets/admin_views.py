"""Targets in the admin portal: the year's overview with filters, an agency's set with its
filings and review, a target's ledger, self-assessment and adjustment requests. Viewers may
read the overview and the pages; only supervisors review and decide."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.actions import commit_or_report, flash_error
from survey.agencies.models import AgencyKind
from survey.agencies.queries import agency_or_404, scope_ids
from survey.clock import beijing_today
from survey.db import db
from survey.evidence.models import EvidenceOwner
from survey.evidence.services import files_of
from survey.filings.models import FilingKind
from survey.filings.services import filing_of
from survey.numbers import record_id
from survey.portals import viewer_may_read
from survey.targets import adjustments, services
from survey.targets.forms import DecisionForm, ReviewForm
from survey.targets.models import Category
from survey.targets.overview import year_overview
from survey.targets.queries import (
    adjustment_in_scope_or_404,
    deadline_flags,
    due_soon_days,
    set_in_scope_or_404,
    set_of,
    target_in_scope_or_404,
    target_records,
)
from survey.years.models import AssessmentYear, YearState
from survey.years.queries import agency_year_or_404

admin_targets = Blueprint("targets", __name__, url_prefix="/targets")


def _years():
    return db.session.scalars(
        select(AssessmentYear)
        .where(AssessmentYear.jurisdiction_id.in_(scope_ids(db.session, current_user)))
        .order_by(AssessmentYear.year.desc(), AssessmentYear.jurisdiction_id)
    ).all()


def _enum_arg(enum_class, name):
    try:
        return enum_class(request.args.get(name, ""))
    except ValueError:
        return None


@admin_targets.route("/")
@viewer_may_read
def index():
    years = _years()
    chosen = request.args.get("year_id", type=record_id)
    year = next((y for y in years if y.id == chosen), None)
    if year is None:
        year = next((y for y in years if y.state is YearState.open), years[0] if years else None)
    kind, category = _enum_arg(AgencyKind, "kind"), _enum_arg(Category, "category")
    rows = []
    if year is not None:
        rows = year_overview(
            db.session,
            year,
            today=beijing_today(),
            due_soon_days=due_soon_days(year),
            kind=kind,
            category=category,
        )
    return render_template(
        "targets/admin/index.html",
        years=years,
        year=year,
        rows=rows,
        kind=kind,
        category=category,
        kinds=list(AgencyKind),
        categories=list(Category),
    )


@admin_targets.route("/agency/<int:agency_id>/year/<int:year_id>")
@viewer_may_read
def agency(agency_id: int, year_id: int):
    agency = agency_or_404(db.session, current_user, agency_id)
    year = agency_year_or_404(db.session, agency, year_id)
    target_set = set_of(db.session, agency.id, year.id)
    filings = [(kind, filing_of(db.session, agency, year, kind)) for kind in FilingKind]
    filing_files = files_of(db.session, EvidenceOwner.filing, [f.id for _k, f in filings if f])
    flags = None
    if target_set is not None and target_set.state.value == "approved":
        flags = deadline_flags(target_set.live_targets, beijing_today(), due_soon_days(year))
    review_form = ReviewForm()
    if target_set is not None:
        review_form.revision.data = str(target_set.revision)
    return render_template(
        "targets/admin/agency.html",
        agency=agency,
        year=year,
        target_set=target_set,
        problems=services.submission_problems(target_set) if target_set else [],
        filings=filings,
        filing_files=filing_files,
        flags=flags,
        review_form=review_form,
    )


@admin_targets.route("/sets/<int:set_id>/review", methods=["POST"])
def review(set_id: int):
    target_set = set_in_scope_or_404(db.session, current_user, set_id)
    form = ReviewForm()
    if form.validate_on_submit():
        approve = form.decision.data == "approve"
        if commit_or_report(
            flash_error,
            lambda: services.review_set(
                db.session,
                current_user,
                target_set,
                approve=approve,
                comment=form.comment.data or "",
                revision=form.shown_revision,
            ),
        ):
            flash(_("Targets approved.") if approve else _("Targets returned."), "success")
    else:
        flash_error(_("Choose a decision."))
    return redirect(url_for(".agency", agency_id=target_set.agency_id, year_id=target_set.year_id))


@admin_targets.route("/<int:target_id>")
@viewer_may_read
def show(target_id: int):
    target = target_in_scope_or_404(db.session, current_user, target_id)
    return render_template(
        "targets/admin/show.html",
        target=target,
        target_set=target.target_set,
        records=target_records(db.session, target),
        readable_changes=adjustments.readable_changes,
        decision_form=DecisionForm(),
    )


@admin_targets.route("/adjustments/<int:adjustment_id>/decide", methods=["POST"])
def decide(adjustment_id: int):
    adjustment = adjustment_in_scope_or_404(db.session, current_user, adjustment_id)
    form = DecisionForm()
    if form.validate_on_submit():
        approve = form.decision.data == "approve"
        if commit_or_report(
            flash_error,
            lambda: adjustments.decide_adjustment(
                db.session,
                current_user,
                adjustment,
                approve=approve,
                comment=form.comment.data or "",
            ),
        ):
            flash(
                _("Adjustment approved: the target is changed.")
                if approve
                else _("Adjustment rejected."),
                "success",
            )
    else:
        flash_error(_("Choose a decision."))
    return redirect(url_for(".show", target_id=adjustment.target_id))
