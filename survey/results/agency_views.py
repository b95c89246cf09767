"""The agency's side: its own published result (never another agency's detail), its result
sheet, and its leader's objections within the year's window. The agency comes from the login
(``g.agency``), never from the URL."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.actions import commit_or_report, flash_error
from survey.clock import beijing_today
from survey.db import db
from survey.evidence.services import uploads
from survey.results import figures, services
from survey.results.cache import kept_json, own_explanation
from survey.results.forms import ObjectionForm
from survey.results.models import RunPublication
from survey.results.tables import table_csv, table_xlsx
from survey.results.views import ranking_of
from survey.scores.drilldown import breakdown
from survey.scores.exporting import band_label
from survey.scores.models import DIMENSIONS, ScoringRun
from survey.scores.words import SOURCE_GROUP_LABELS, not_rated_text
from survey.spreadsheets import XLSX_MIMETYPE
from survey.years.config import DIMENSION_LABELS, GROUP_LABELS, with_defaults
from survey.years.models import AssessmentYear

agency_results = Blueprint("results", __name__, url_prefix="/results")


def _published_runs() -> list[RunPublication]:
    """Publications of the agency's jurisdiction, newest first."""
    return list(
        db.session.scalars(
            select(RunPublication)
            .join(AssessmentYear, AssessmentYear.id == RunPublication.year_id)
            .where(AssessmentYear.jurisdiction_id == g.agency.jurisdiction_id)
            .order_by(RunPublication.id.desc())
        )
    )


def _published_run_or_404(run_id: int) -> ScoringRun:
    publication = services.publication_of(db.session, run_id)
    if publication is None:
        abort(404)
    run = publication.run
    if run.year.jurisdiction_id != g.agency.jurisdiction_id:
        abort(404)
    if services.own_result(db.session, run.id, g.agency.id) is None:
        abort(404)
    return run


def _hide_small_groups(agency: dict, minimum: int) -> dict:
    """Respondent groups with fewer answers than the year's smallest cell are not broken down
    for the agency (their score still counts; only the detail is withheld)."""
    for dimension in agency["engine"]["dimensions"]:
        for group in dimension.get("groups", []):
            group["hidden"] = bool(group.get("present")) and group.get("n", 0) < minimum
    return agency


@agency_results.route("/")
def index():
    publications = _published_runs()
    if not publications:
        return render_template("results/agency_none.html")
    return redirect(url_for(".run", run_id=publications[0].run_id))


@agency_results.route("/runs/<int:run_id>", methods=["GET", "POST"])
def run(run_id: int):
    scored = _published_run_or_404(run_id)
    year = scored.year
    today = beijing_today()
    latest = services.latest_publication(db.session, year.id)
    is_latest = latest is not None and latest.run_id == scored.id
    may_object = (
        current_user.role.value == "agency_leader"
        and is_latest
        and services.window_open(year, today)
    )
    form = ObjectionForm()
    if request.method == "POST" and not may_object:
        flash_error(
            _("Only your agency's leader may file an objection.")
            if current_user.role.value != "agency_leader"
            else _("The period for objections has ended.")
            if is_latest
            else _("Objections are filed against the latest published result.")
        )
        return redirect(url_for(".run", run_id=scored.id))
    if may_object and form.validate_on_submit():
        if commit_or_report(
            form.form_errors.append,
            lambda: services.file_objection(
                db.session,
                current_user,
                scored,
                subject=form.subject.data,
                reason=form.reason.data,
                today=today,
                files=uploads(form.files.data),
            ),
        ):
            flash(_("Your objection was filed; the office will decide it."), "success")
            return redirect(url_for(".run", run_id=scored.id))
    rows = ranking_of(scored)
    own = next(r for r in rows if r["agency_id"] == g.agency.id)
    explained = own_explanation(db.session, scored, g.agency.id)
    minimum = int(with_defaults(year.config)["min_cell_size"])
    agency = _hide_small_groups(explained["agency"], minimum)
    return render_template(
        "results/agency.html",
        run=scored,
        year=year,
        own=own,
        agency=agency,
        item_texts=explained["item_texts"],
        sums=breakdown(agency),
        charts=kept_json(
            db.session,
            scored.id,
            f"own:{g.agency.id}:{get_locale() or 'zh_Hans_CN'}",
            lambda: figures.own_charts(rows, own, figures.dimension_means(rows)),
        ),
        bands=figures.distribution_table(rows),
        ranked_count=sum(1 for r in rows if r["ranked"] and r["kind"] == own["kind"]),
        objections=services.objections_of_agency(db.session, year.id, g.agency.id),
        form=form,
        may_object=may_object,
        is_leader=current_user.role.value == "agency_leader",
        is_latest=is_latest,
        closes=services.window_closes(year),
        today=today,
        dimensions=DIMENSIONS,
        dimension_labels=DIMENSION_LABELS,
        group_labels={**GROUP_LABELS, **SOURCE_GROUP_LABELS},
        band_label=band_label,
        not_rated_text=not_rated_text,
        minimum=minimum,
    )


@agency_results.route("/runs/<int:run_id>/sheet.<any(xlsx, csv):fmt>")
def sheet(run_id: int, fmt: str):
    scored = _published_run_or_404(run_id)
    own = next(r for r in ranking_of(scored) if r["agency_id"] == g.agency.id)
    header = [_("Item"), _("Score"), _("Interval low"), _("Interval high")]
    rows = [
        [
            str(DIMENSION_LABELS[d]),
            own["dimensions"][d]["score"] if own["dimensions"][d]["rated"] else None,
            own["dimensions"][d]["low"],
            own["dimensions"][d]["high"],
        ]
        for d in DIMENSIONS
    ]
    rows.append([_("Bonus/deduction"), own["adjustment"], None, None])
    rows.append([_("Composite"), own["composite"], own["composite_low"], own["composite_high"]])
    rows.append([_("Band"), band_label(own), None, None])
    if own["ranked"]:
        rows.append([_("Rank within its kind"), own["rank"], own["rank_low"], own["rank_high"]])
    name = f"result-{scored.year.year}-run{scored.number}.{fmt}"
    if fmt == "csv":
        body, mimetype = table_csv(scored, header, rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = table_xlsx(scored, g.agency.name, header, rows), XLSX_MIMETYPE
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )
