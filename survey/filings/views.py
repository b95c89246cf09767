"""Filings in the agency portal: the work plan and the two summaries, drafted by the editor and
submitted by the leader; the supervisor reads them on the agency's page in the admin portal."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.actions import commit_or_report, flash_error
from survey.clock import beijing_today
from survey.db import db
from survey.evidence.models import EvidenceOwner
from survey.evidence.services import files_of, uploads
from survey.filings import services
from survey.filings.forms import FilingForm
from survey.filings.models import FilingKind
from survey.forms import RevisionForm
from survey.years.queries import no_open_year_message, working_year

agency_filings = Blueprint("filings", __name__, url_prefix="/filings")


def _kind_or_404(kind: str) -> FilingKind:
    try:
        return FilingKind(kind)
    except ValueError:
        abort(404)


def _year():
    year = working_year(db.session, g.agency)
    if year is None:
        flash_error(no_open_year_message(db.session, g.agency))
    return year


@agency_filings.route("/")
def index():
    year = _year()
    if year is None:
        return redirect(url_for("agency.home.index"))
    rows = [
        (kind, services.filing_of(db.session, g.agency, year, kind), services.window(year, kind))
        for kind in FilingKind
    ]
    return render_template("filings/index.html", year=year, rows=rows)


@agency_filings.route("/<kind>", methods=["GET", "POST"])
def edit(kind: str):
    kind = _kind_or_404(kind)
    year = _year()
    if year is None:
        return redirect(url_for("agency.home.index"))
    filing = services.filing_of(db.session, g.agency, year, kind)
    form = FilingForm()
    if request.method == "GET" and filing is not None:
        form.text.data = filing.text
        form.special_plans.data = filing.special_plans
        form.revision.data = str(filing.revision)
    if form.validate_on_submit():
        saved = commit_or_report(
            form.form_errors.append,
            lambda: services.save_filing(
                db.session,
                current_user,
                g.agency,
                year,
                kind,
                text=form.text.data or "",
                special_plans=form.special_plans.data or "",
                files=uploads(form.files.data),
                revision=form.shown_revision,
            ),
        )
        if saved:
            flash(_("Saved."), "success")
            return redirect(url_for(".edit", kind=kind.value))
    files = files_of(db.session, EvidenceOwner.filing, [filing.id])[filing.id] if filing else []
    return render_template(
        "filings/edit.html",
        kind=kind,
        year=year,
        filing=filing,
        form=form,
        files=files,
        window=services.window(year, kind),
        today=beijing_today(),
        button=RevisionForm(),
    )


@agency_filings.route("/<kind>/submit", methods=["POST"])
def submit(kind: str):
    kind = _kind_or_404(kind)
    year = _year()
    filing = services.filing_of(db.session, g.agency, year, kind) if year else None
    if filing is None:
        abort(404)
    form = RevisionForm()
    if form.validate_on_submit() and commit_or_report(
        flash_error,
        lambda: services.submit_filing(
            db.session,
            current_user,
            filing,
            revision=form.shown_revision,
            today=beijing_today(),
        ),
    ):
        flash(_("Submitted with your sign-off."), "success")
    return redirect(url_for(".edit", kind=kind.value))
