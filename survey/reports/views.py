"""The reports pages. Admin: the year's builds (viewers may read and download), the 意见建议,
building the report and the feedback sheets. Agency: its own feedback sheets, download and
签收. Files are always sent as attachments, exactly the stored bytes."""

from __future__ import annotations

import io
from urllib.parse import quote

from flask import Blueprint, abort, flash, g, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from survey.actions import commit_or_report, flash_error
from survey.clock import beijing_today
from survey.db import db
from survey.evidence import storage
from survey.forms import ConfirmForm
from survey.portals import viewer_may_read
from survey.reports import queries, services
from survey.reports.forms import AdviceForm, BuildForm, FeedbackForm
from survey.reports.models import ReportBuild
from survey.scores.queries import run_or_404, runs_of
from survey.scores.services import final_run
from survey.years.queries import year_or_404

admin_reports = Blueprint("reports", __name__, url_prefix="/reports")
agency_reports = Blueprint("reports", __name__, url_prefix="/reports")


def _send(build: ReportBuild):
    path = storage.path_of(build.sha256)
    if not path.is_file():
        abort(404)
    # Read whole (a few hundred KB): no file left open by a client that stops reading.
    response = send_file(
        io.BytesIO(path.read_bytes()),
        mimetype=build.content_type,
        as_attachment=True,
        download_name=build.filename,
    )
    # RFC 6266: an ASCII name for old clients, the Chinese name for the rest.
    ascii_name = f"report-{build.id}." + build.filename.rsplit(".", 1)[-1]
    response.headers["Content-Disposition"] = (
        f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(build.filename)}"
    )
    return response


def _forms(year):
    """The two build forms, their run defaulting to the final run (else the latest)."""
    runs = runs_of(db.session, year.id)
    final = final_run(db.session, year.id)
    default = final or (runs[0] if runs else None)
    choices = [
        (
            run.id,
            _("Run %(number)d", number=run.number)
            + (" · " + _("Final") if final is not None and final.id == run.id else ""),
        )
        for run in runs
    ]
    report, sheets = BuildForm(prefix="report"), FeedbackForm(prefix="sheets")
    for form in (report, sheets):
        form.run_id.choices = choices
        if default is not None and not form.is_submitted():
            form.run_id.data = default.id
    sheets.agency_id.choices = [(0, _("Every agency"))] + (
        sorted(((r.agency_id, r.agency.name) for r in default.agency_results), key=lambda c: c[1])
        if default is not None
        else []
    )
    return report, sheets


@admin_reports.route("/years/<int:year_id>")
@viewer_may_read
def index(year_id: int):
    year = year_or_404(db.session, current_user, year_id)
    report, sheets = _forms(year)
    builds = queries.builds_of(db.session, year.id)
    single = queries.sheets_of(db.session, year.id)
    return render_template(
        "reports/index.html",
        year=year,
        report_form=report,
        sheets_form=sheets,
        builds=builds,
        sheets=single[:200],
        sheet_count=len(single),
        receipts=queries.receipts_for(db.session, [b.id for b in single[:200]]),
        advice=services.latest_advice(db.session, year.id),
    )


@admin_reports.route("/years/<int:year_id>/advice", methods=["GET", "POST"])
@viewer_may_read
def advice(year_id: int):
    year = year_or_404(db.session, current_user, year_id)
    current = services.latest_advice(db.session, year.id)
    form = AdviceForm()
    if not form.is_submitted() and current is not None:
        form.text.data = current.text
    if form.validate_on_submit() and commit_or_report(
        form.form_errors.append,
        lambda: services.save_advice(db.session, current_user, year, form.text.data),
    ):
        flash(_("The 意见建议 were saved; the next report you build carries them."), "success")
        return redirect(url_for(".index", year_id=year.id))
    return render_template("reports/advice.html", year=year, form=form, current=current)


def _chosen_run(year, form):
    if not form.validate_on_submit():
        flash_error(_("Choose a scoring run."))
        return None
    run = run_or_404(db.session, current_user, form.run_id.data)
    if run.year_id != year.id:
        abort(404)
    return run


@admin_reports.route("/years/<int:year_id>/report", methods=["POST"])
def build_report(year_id: int):
    year = year_or_404(db.session, current_user, year_id)
    report, _sheets = _forms(year)
    run = _chosen_run(year, report)
    if run is not None and commit_or_report(
        flash_error,
        lambda: services.build_supervision(db.session, current_user, run, beijing_today()),
    ):
        flash(_("The supervision report was built from run %(n)d.", n=run.number), "success")
    return redirect(url_for(".index", year_id=year.id))


@admin_reports.route("/years/<int:year_id>/feedback", methods=["POST"])
def build_feedback(year_id: int):
    year = year_or_404(db.session, current_user, year_id)
    _report, sheets = _forms(year)
    run = _chosen_run(year, sheets)
    if run is None:
        return redirect(url_for(".index", year_id=year.id))
    agency_id = sheets.agency_id.data or None
    done = commit_or_report(
        flash_error,
        lambda: services.build_feedback(
            db.session, current_user, run, beijing_today(), agency_id=agency_id
        ),
    )
    if done:
        flash(
            _(
                "%(n)d feedback sheets were built from run %(run)d.",
                n=len(done.value.sheets),
                run=run.number,
            ),
            "success",
        )
    return redirect(url_for(".index", year_id=year.id))


@admin_reports.route("/builds/<int:build_id>/download")
@viewer_may_read
def download(build_id: int):
    return _send(queries.build_or_404(db.session, current_user, build_id))


# --- the agency portal ------------------------------------------------------------------


@agency_reports.route("/")
def own():
    sheets = queries.own_sheets(db.session, g.agency)
    return render_template(
        "reports/agency.html",
        sheets=sheets,
        receipts=queries.receipts_for(db.session, [s.id for s in sheets]),
        confirm=ConfirmForm(),
    )


@agency_reports.route("/<int:build_id>/download")
def own_download(build_id: int):
    return _send(queries.own_sheet_or_404(db.session, g.agency, build_id))


@agency_reports.route("/<int:build_id>/acknowledge", methods=["POST"])
def acknowledge(build_id: int):
    build = queries.own_sheet_or_404(db.session, g.agency, build_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if commit_or_report(flash_error, lambda: services.acknowledge(db.session, current_user, build)):
        flash(_("Acknowledged (签收): the office sees who and when."), "success")
    return redirect(url_for(".own"))
