"""The year's scores (admin; viewers may read): runs, one run's table, an agency's
explanation, exports, the final mark, and 加减分 items."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from survey.accounts.forms import ConfirmForm
from survey.actions import commit_or_report, flash_error
from survey.agencies.models import Agency
from survey.clock import beijing_today
from survey.db import db
from survey.evidence.models import EvidenceOwner
from survey.evidence.services import files_of, uploads
from survey.indicators.queries import live_agencies
from survey.portals import viewer_may_read
from survey.scores import exporting, queries, services
from survey.scores.diff import compare
from survey.scores.drilldown import breakdown
from survey.scores.forms import FinaliseForm, ReverseItemForm, ScoreItemForm
from survey.scores.models import DIMENSIONS
from survey.scores.words import (
    INPUT_LABELS,
    OUTCOME_LABELS,
    SOURCE_GROUP_LABELS,
    SOURCE_LABELS,
    gap_text,
    not_rated_text,
)
from survey.spreadsheets import XLSX_MIMETYPE
from survey.years.config import DIMENSION_LABELS, GROUP_LABELS
from survey.years.queries import year_or_404
from survey.years.standards import describe

admin_scores = Blueprint("scores", __name__, url_prefix="/scores")


def score_context(**values) -> dict:
    """What the scores templates need besides their records (the results pages use it too)."""
    return {
        "dimensions": DIMENSIONS,
        "dimension_labels": DIMENSION_LABELS,
        "group_labels": {**GROUP_LABELS, **SOURCE_GROUP_LABELS},
        "not_rated_text": not_rated_text,
        "gap_text": gap_text,
        "band_label": exporting.band_label,
        "kind_label": exporting.kind_label,
        "input_labels": INPUT_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "source_labels": SOURCE_LABELS,
        "item_words": item_words(),
        **values,
    }


def item_words() -> dict[str, Markup]:
    """The phrases repeated on every item of an explanation, looked up once per page (each
    item and answer would otherwise look them up again), ready for ``%`` in the template."""
    return {
        "answers": escape(_("%(n)d answers, mean %(mean)s")),
        "scale": escape(_("Answers on the 1–%(points)s scale:")),
        "count": escape(_("%(answer)s: %(count)d")),
    }


@admin_scores.route("/years/<int:year_id>")
@viewer_may_read
def runs(year_id: int):
    year = year_or_404(db.session, current_user, year_id)
    final = services.final_run(db.session, year.id)
    return render_template(
        "scores/runs.html",
        **score_context(
            year=year,
            runs=queries.runs_of(db.session, year.id),
            final=final,
            confirm=ConfirmForm(),
        ),
    )


@admin_scores.route("/years/<int:year_id>/compute", methods=["POST"])
def compute(year_id: int):
    year = year_or_404(db.session, current_user, year_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    done = commit_or_report(
        flash_error, lambda: services.compute_run(db.session, current_user, year, beijing_today())
    )
    if done:
        run = done.value
        flash(_("Run %(number)d computed.", number=run.number), "success")
        return redirect(url_for(".run", run_id=run.id))
    return redirect(url_for(".runs", year_id=year_id))


@admin_scores.route("/runs/<int:run_id>")
@viewer_may_read
def run(run_id: int):
    run = queries.run_or_404(db.session, current_user, run_id)
    document = run.result_data()
    previous = queries.previous_run(db.session, run)
    final = services.final_run(db.session, run.year_id)
    return render_template(
        "scores/run.html",
        **score_context(
            run=run,
            year=run.year,
            rows=exporting.ordered(document["agencies"]),
            quality=document["engine"]["tables"]["reliability"],
            diff=compare(previous, run) if previous is not None else None,
            is_final=final is not None and final.id == run.id,
            standards_text=describe(run.standards),
            gaps=document.get("gaps", []),
        ),
    )


@admin_scores.route("/runs/<int:run_id>/agencies/<int:agency_id>")
@viewer_may_read
def explain(run_id: int, agency_id: int):
    run = queries.run_or_404(db.session, current_user, run_id)
    document = run.result_data()
    agency = next((a for a in document["agencies"] if a["agency_id"] == agency_id), None)
    if agency is None:
        abort(404)
    return render_template(
        "scores/agency.html",
        **score_context(
            run=run,
            year=run.year,
            agency=agency,
            item_texts=document["item_texts"],
            sums=breakdown(agency),
        ),
    )


@admin_scores.route("/runs/<int:run_id>/scores.<any(xlsx, csv, json):fmt>")
@viewer_may_read
def export(run_id: int, fmt: str):
    run = queries.run_or_404(db.session, current_user, run_id)
    name = f"scores-{run.year.year}-run{run.number}.{fmt}"
    if fmt == "json":
        body, mimetype = run.results.encode(), "application/json"
    elif fmt == "csv":
        body, mimetype = exporting.score_csv(run, run.result_data()), "text/csv; charset=utf-8"
    else:
        body, mimetype = exporting.score_xlsx(run, run.result_data()), XLSX_MIMETYPE
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )


@admin_scores.route("/runs/<int:run_id>/finalise", methods=["GET", "POST"])
def finalise(run_id: int):
    run = queries.run_or_404(db.session, current_user, run_id)
    form = FinaliseForm()
    if form.validate_on_submit() and commit_or_report(
        form.form_errors.append,
        lambda: services.finalise(
            db.session,
            current_user,
            run,
            current_app.extensions.get("run_finalise_checks", ()),
            beijing_today(),
        ),
    ):
        flash(_("Run %(number)d is the year's final result.", number=run.number), "success")
        return redirect(url_for(".run", run_id=run.id))
    return render_template(
        "scores/finalise.html", **score_context(run=run, year=run.year, form=form)
    )


@admin_scores.route("/years/<int:year_id>/items", methods=["GET", "POST"])
@viewer_may_read
def items(year_id: int):
    year = year_or_404(db.session, current_user, year_id)
    agencies = live_agencies(db.session, year)
    form = ScoreItemForm()
    form.agency_id.choices = [(a.id, a.name) for a in agencies]
    if form.validate_on_submit():
        agency = db.session.get(Agency, form.agency_id.data)
        if commit_or_report(
            form.form_errors.append,
            lambda: services.add_item(
                db.session,
                current_user,
                year,
                agency,
                points=form.points.data,
                reason=form.reason.data,
                basis=form.basis.data,
                files=uploads(form.files.data),
            ),
        ):
            flash(_("The item was recorded; it counts from the next run."), "success")
            return redirect(url_for(".items", year_id=year.id))
    records = queries.items_of(db.session, year.id)
    item_files = files_of(db.session, EvidenceOwner.score_item, [item.id for item in records])
    reversed_ids = {item.reverses_id for item in records if item.reverses_id}
    return render_template(
        "scores/items.html",
        **score_context(
            year=year,
            form=form,
            records=records,
            item_files=item_files,
            reversed_ids=reversed_ids,
            reverse_form=ReverseItemForm(),
        ),
    )


@admin_scores.route("/items/<int:score_item_id>/reverse", methods=["POST"])
def reverse(score_item_id: int):
    item = queries.item_or_404(db.session, current_user, score_item_id)
    form = ReverseItemForm()
    if not form.validate_on_submit():
        flash_error(_("Give the reason for the reversal."))
    elif commit_or_report(
        flash_error,
        lambda: services.reverse_item(db.session, current_user, item, reason=form.reason.data),
    ):
        flash(_("The item was reversed; the reversal counts from the next run."), "success")
    return redirect(url_for(".items", year_id=item.year_id))
