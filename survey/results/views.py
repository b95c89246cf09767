"""The supervisor's side (viewers may read): the year's dashboard of a run, publishing a run to
the agencies, the objections and their decisions. Pages read stored runs only."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from survey.actions import commit_or_report
from survey.agencies.models import Agency, AgencyKind, Jurisdiction
from survey.agencies.queries import scope_ids
from survey.clock import beijing_today
from survey.db import db
from survey.evidence.models import EvidenceOwner
from survey.evidence.services import files_of
from survey.portals import viewer_may_read
from survey.results import exports, figures, services
from survey.results.cache import kept, kept_json, own_explanation, read_kept
from survey.results.forms import DecisionForm, PublishForm
from survey.results.models import Objection
from survey.results.quality import FLAG_LABELS, REASONS, flag_sentence, reading
from survey.results.quality import condensed as quality_of
from survey.results.ranking import SORTS, chosen, condensed
from survey.results.tables import table_csv, table_xlsx, tables_csv, tables_xlsx
from survey.scores import queries
from survey.scores.diff import compare
from survey.scores.drilldown import breakdown
from survey.scores.exporting import BAND_NAMES, band_label, kind_label
from survey.scores.models import DIMENSIONS, ScoringRun
from survey.scores.services import final_run
from survey.scores.views import score_context
from survey.scores.words import SOURCE_GROUP_LABELS, SOURCE_LABELS
from survey.spreadsheets import XLSX_MIMETYPE
from survey.years.config import DIMENSION_LABELS, GROUP_LABELS, with_defaults
from survey.years.models import AssessmentYear
from survey.years.queries import year_or_404

admin_dashboard = Blueprint("dashboard", __name__, url_prefix="/results")


def ranking_of(run: ScoringRun, found: dict[str, str] | None = None) -> list[dict]:
    """The run's condensed ranking, made from its document the first time and kept."""
    return kept_json(db.session, run.id, "ranking", lambda: condensed(run.result_data()), found)[
        "agencies"
    ]


def _chosen_run(runs: list[ScoringRun], final, number: int | None) -> ScoringRun | None:
    """The run asked for (404 when the year has no such number), else the final one, else
    the latest."""
    if number is not None:
        run = next((r for r in runs if r.number == number), None)
        if run is None:
            abort(404)
        return run
    return final or (runs[0] if runs else None)


def _trend(year, run, rows: list[dict]) -> tuple[str, list[dict]]:
    """The mean composite of the ranked agencies in earlier years' final runs and in this
    run, as a chart and its table; empty while no earlier year has a final run."""
    earlier = db.session.scalars(
        select(AssessmentYear)
        .where(AssessmentYear.jurisdiction_id == year.jurisdiction_id)
        .where(AssessmentYear.year < year.year)
        .order_by(AssessmentYear.year)
    ).all()
    points = []
    for other in earlier:
        final = final_run(db.session, other.id)
        if final is not None:
            points.append({"year": other.year, "value": figures.mean_of(ranking_of(final))})
    if not points:
        return "", []
    points.append({"year": year.year, "value": figures.mean_of(rows)})
    chart = figures.trend_chart(db.session, run.id, points)
    return chart, points


def _shown(rows: list[dict]) -> list[dict]:
    """Each row with its words (rank as people say it, band, kind, marks), each phrase looked
    up once for the whole table rather than once per row."""
    single, spread, tied = _("No. %(rank)d"), _("No. %(low)d–%(high)d"), _("tied with %(n)d others")
    marks = {
        "borderline": (_("borderline"), "mark-borderline"),
        "low": (_("low confidence"), "mark-low"),
        "not_rated": (_("not rated"), "mark-not-rated"),
    }
    kinds: dict[str, str] = {}
    bands: dict[tuple, str] = {}
    shown = []
    for row in rows:
        words = dict(row)
        if row["ranked"]:
            words["rank_text"] = (
                single % {"rank": row["rank"]}
                if row["rank_low"] == row["rank_high"]
                else spread % {"low": row["rank_low"], "high": row["rank_high"]}
            )
        kind = row["kind"]
        if kind not in kinds:
            kinds[kind] = kind_label(kind)
        words["kind_text"] = kinds[kind]
        key = (row["ranked"], row["band"], row["borderline"], tuple(row["between"] or ()))
        if key not in bands:
            bands[key] = band_label(row)
        words["band_text"] = bands[key]
        found = []
        if row["tied_with"]:
            found.append((tied % {"n": row["tied_with"]}, "mark-tie"))
        if row["borderline"] or (row["band"] is None and row["between"]):
            found.append(marks["borderline"])
        if row["low_confidence"]:
            found.append(marks["low"])
        if not row["ranked"]:
            found.append(marks["not_rated"])
        words["marks"] = found
        shown.append(words)
    return shown


def _filters():
    kind = request.args.get("kind") or None
    if kind is not None and kind not in {k.value for k in AgencyKind}:
        kind = None
    sort = request.args.get("sort", "rank")
    if sort not in SORTS:
        sort = "rank"
    descending = request.args.get("dir", "desc" if sort != "rank" and sort != "name" else "asc")
    return kind, sort, descending == "desc"


def _places(
    rows: list[dict], visible: list[int]
) -> tuple[list[dict], list[Jurisdiction], int | None]:
    """The rows of the jurisdiction the request asks for (all when none or one the user may
    not see), the jurisdictions of the run's agencies the user may see (``visible``: the
    user's scope), and the chosen one."""
    found = db.session.execute(
        select(Agency.id, Jurisdiction)
        .join(Jurisdiction, Jurisdiction.id == Agency.jurisdiction_id)
        .where(Agency.id.in_([r["agency_id"] for r in rows]))
        .where(Agency.jurisdiction_id.in_(visible))
    ).all()
    of_agency = {agency_id: place.id for agency_id, place in found}
    places = sorted({place.id: place for _, place in found}.values(), key=lambda j: j.id)
    chosen_id = request.args.get("jurisdiction", type=int)
    if chosen_id not in of_agency.values():
        return rows, places, None
    return [r for r in rows if of_agency.get(r["agency_id"]) == chosen_id], places, chosen_id


@admin_dashboard.route("/years/<int:year_id>")
@viewer_may_read
def dashboard(year_id: int):
    visible = scope_ids(db.session, current_user)
    year = year_or_404(db.session, current_user, year_id, visible)
    runs = queries.runs_of(db.session, year.id)
    final = final_run(db.session, year.id)
    run = _chosen_run(runs, final, request.args.get("run", type=int))
    if run is None:
        return render_template("results/dashboard.html", year=year, run=None)
    kind, sort, descending = _filters()
    chosen_place = request.args.get("jurisdiction", type=int)
    locale = str(get_locale() or "zh_Hans_CN")
    order = "desc" if descending else "asc"
    table_name = f"table:{kind or ''}:{chosen_place or ''}:{sort}:{order}:{locale}"
    # The condensed ranking, the table for this filter and order, and the chart sections
    # are made once per run (and language) and kept: a later request reads three stored
    # fragments in one query.
    found = read_kept(db.session, run.id, ["ranking", table_name, f"sections:{locale}"])
    rows = ranking_of(run, found)
    shown_rows, places, place = _places(rows, visible)
    words = {"dimensions": DIMENSIONS, "dimension_labels": DIMENSION_LABELS}
    table_html = kept(
        db.session,
        run.id,
        f"table:{kind or ''}:{place or ''}:{sort}:{order}:{locale}",
        lambda: render_template(
            "results/_ranking_table.html",
            rows=_shown(chosen(shown_rows, kind, sort, descending)),
            run=run,
            year=year,
            kind=kind,
            sort=sort,
            descending=descending,
            # relative to the dashboard's own /admin/results/years/<id>: shorter on every row
            explain_prefix=f"../runs/{run.id}/agencies/",
            **words,
        ),
        found,
    )
    sections_html = kept(
        db.session,
        run.id,
        f"sections:{locale}",
        lambda: render_template(
            "results/_chart_sections.html",
            all_rows=rows,
            caterpillar=figures.run_chart(db.session, run.id, rows, "caterpillar"),
            distribution=figures.run_chart(db.session, run.id, rows, "distribution"),
            funnel=figures.run_chart(db.session, run.id, rows, "funnel"),
            funnel_rows=figures.funnel_points(rows),
            mean=figures.mean_of(rows),
            bands=figures.distribution_table(rows),
            **words,
        ),
        found,
    )
    return render_template(
        "results/dashboard.html",
        year=year,
        run=run,
        runs=runs,
        table_html=table_html,
        sections_html=sections_html,
        kinds=sorted({r["kind"] for r in rows}),
        kind=kind,
        places=places,
        place=place,
        sort=sort,
        descending=descending,
        is_final=final is not None and final.id == run.id,
        publication=services.publication_of(db.session, run.id),
        closes=services.window_closes(year),
        trend=_trend(year, run, rows),
        objections=services.objections_of_year(db.session, year.id),
        sort_options=[
            ("rank", _("Rank")),
            ("composite", _("Composite")),
            ("name", _("Agency")),
            *((d, str(DIMENSION_LABELS[d])) for d in DIMENSIONS),
            ("adjustment", _("Bonus/deduction")),
        ],
        kind_label=kind_label,
    )


@admin_dashboard.route("/runs/<int:run_id>/agencies/<int:agency_id>")
@viewer_may_read
def explain(run_id: int, agency_id: int):
    """Why an agency got its composite: the sum, each dimension, source, item, target and
    加减分 item, from the run's stored explanation (kept apart per agency)."""
    run = queries.run_or_404(db.session, current_user, run_id)
    if services.own_result(db.session, run.id, agency_id) is None:
        abort(404)
    explained = own_explanation(db.session, run, agency_id)
    agency = explained["agency"]
    return render_template(
        "scores/agency.html",
        **score_context(
            run=run,
            year=run.year,
            agency=agency,
            item_texts=explained["item_texts"],
            sums=breakdown(agency),
            back=url_for(".dashboard", year_id=run.year_id, run=run.number),
        ),
    )


@admin_dashboard.route("/runs/<int:run_id>/quality")
@viewer_may_read
def quality(run_id: int):
    """The evidence behind a run: responses and exclusions, groups short of their minimum,
    reliability with a reading, the peer round's checks (from the stored run)."""
    run = queries.run_or_404(db.session, current_user, run_id)
    data = _quality_data(run)
    return render_template(
        "results/quality.html",
        run=run,
        year=run.year,
        data=data,
        reading=reading,
        flag_sentence=flag_sentence,
        group_labels={**GROUP_LABELS, **SOURCE_GROUP_LABELS},
        dimension_labels=DIMENSION_LABELS,
        reasons=REASONS,
        reason_labels=FLAG_LABELS,
    )


@admin_dashboard.route("/years/<int:year_id>/compare")
@viewer_may_read
def compare_runs(year_id: int):
    """Two runs of the year side by side: who moved, by how much, and which inputs or
    settings differ (from the runs' stored rows)."""
    year = year_or_404(db.session, current_user, year_id)
    runs = queries.runs_of(db.session, year.id)
    by_number = {r.number: r for r in runs}
    later = by_number.get(request.args.get("b", type=int)) or (runs[0] if runs else None)
    earlier = by_number.get(request.args.get("a", type=int)) or (runs[1] if len(runs) > 1 else None)
    diff = compare(earlier, later) if earlier and later and earlier.id != later.id else None
    return render_template(
        "results/compare.html",
        year=year,
        runs=runs,
        earlier=earlier,
        later=later,
        diff=diff,
        source_labels=SOURCE_LABELS,
        band_names=BAND_NAMES,
    )


def _ranking_table(rows: list[dict]) -> tuple[list[str], list[list]]:
    header = [
        _("Agency"),
        _("Kind"),
        *[str(DIMENSION_LABELS[d]) for d in DIMENSIONS],
        _("Bonus/deduction"),
        _("Composite"),
        _("Interval low"),
        _("Interval high"),
        _("Rank"),
        _("Rank could be from"),
        _("Rank could be to"),
        _("Band"),
        _("Marks"),
    ]
    table = []
    for r in rows:
        marks = []
        if r["tied_with"]:
            marks.append(_("tied with %(n)d others", n=r["tied_with"]))
        if r["low_confidence"]:
            marks.append(_("low confidence"))
        if not r["ranked"]:
            marks.append(_("not rated"))
        table.append(
            [
                r["name"],
                kind_label(r["kind"]),
                *[
                    r["dimensions"][d]["score"] if r["dimensions"][d]["rated"] else None
                    for d in DIMENSIONS
                ],
                r["adjustment"],
                r["composite"],
                r["composite_low"],
                r["composite_high"],
                r["rank"],
                r["rank_low"],
                r["rank_high"],
                band_label(r),
                "；".join(marks),
            ]
        )
    return header, table


@admin_dashboard.route("/runs/<int:run_id>/ranking.<any(xlsx, csv):fmt>")
@viewer_may_read
def ranking_export(run_id: int, fmt: str):
    run = queries.run_or_404(db.session, current_user, run_id)
    kind, sort, descending = _filters()
    rows, _places_seen, _place = _places(ranking_of(run), scope_ids(db.session, current_user))
    header, rows = _ranking_table(chosen(rows, kind, sort, descending))
    name = f"ranking-{run.year.year}-run{run.number}.{fmt}"
    if fmt == "csv":
        body, mimetype = table_csv(run, header, rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = table_xlsx(run, _("Ranking"), header, rows), XLSX_MIMETYPE
    return _attachment(body, mimetype, name)


def _attachment(body: bytes, mimetype: str, name: str) -> Response:
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"}
    )


def _quality_data(run: ScoringRun) -> dict:
    minimum = {g: int(n) for g, n in with_defaults(run.year.config)["min_group_n"].items()}
    # "quality:2": with the round-wise flags (a run kept before them is condensed again).
    return kept_json(
        db.session, run.id, "quality:2", lambda: quality_of(run.result_data(), minimum)
    )


@admin_dashboard.route(
    "/runs/<int:run_id>/<any(dimensions, groups, items, quality):table>.<any(xlsx, csv):fmt>"
)
@viewer_may_read
def table_export(run_id: int, table: str, fmt: str):
    """The dimensions, respondent groups, items or quality tables of a stored run."""
    run = queries.run_or_404(db.session, current_user, run_id)
    if table == "dimensions":
        tables = exports.dimensions(ranking_of(run))
    elif table == "quality":
        tables = exports.quality(_quality_data(run))
    else:
        tables = getattr(exports, table)(run.result_data())
    name = f"{table}-{run.year.year}-run{run.number}.{fmt}"
    if fmt == "csv":
        return _attachment(tables_csv(run, tables), "text/csv; charset=utf-8", name)
    return _attachment(tables_xlsx(run, tables), XLSX_MIMETYPE, name)


@admin_dashboard.route("/runs/<int:run_id>/publish", methods=["GET", "POST"])
def publish(run_id: int):
    run = queries.run_or_404(db.session, current_user, run_id)
    form = PublishForm()
    if form.validate_on_submit() and commit_or_report(
        form.form_errors.append,
        lambda: services.publish(db.session, current_user, run, beijing_today()),
    ):
        flash(
            _(
                "Run %(number)d is published: each agency now sees its own result.",
                number=run.number,
            ),
            "success",
        )
        return redirect(url_for(".dashboard", year_id=run.year_id, run=run.number))
    rows = ranking_of(run)
    return render_template(
        "results/publish.html",
        run=run,
        year=run.year,
        form=form,
        closes=services.window_closes(run.year),
        agencies=len(rows),
        ranked=sum(1 for r in rows if r["ranked"]),
        publication=services.publication_of(db.session, run.id),
    )


def objection_or_404(objection_id: int) -> Objection:
    objection = db.session.get(Objection, objection_id)
    if objection is None or objection.agency.jurisdiction_id not in scope_ids(
        db.session, current_user
    ):
        abort(404)
    return objection


@admin_dashboard.route("/years/<int:year_id>/objections")
@viewer_may_read
def objections(year_id: int):
    year = year_or_404(db.session, current_user, year_id)
    return render_template(
        "results/objections.html",
        year=year,
        objections=services.objections_of_year(db.session, year.id),
        closes=services.window_closes(year),
        today=beijing_today(),
    )


@admin_dashboard.route("/objections/<int:objection_id>", methods=["GET", "POST"])
@viewer_may_read
def objection(objection_id: int):
    item = objection_or_404(objection_id)
    form = DecisionForm()
    if request.method == "POST" and form.validate_on_submit():
        if commit_or_report(
            form.form_errors.append,
            lambda: services.decide(
                db.session,
                current_user,
                item,
                outcome=form.outcome.data,
                reason=form.reason.data,
                correction=form.correction.data,
            ),
        ):
            flash(_("The decision was recorded; the agency can read it."), "success")
            return redirect(url_for(".objections", year_id=item.year_id))
    run = item.run
    rows = ranking_of(run)
    row = next((r for r in rows if r["agency_id"] == item.agency_id), None)
    latest = db.session.scalar(
        select(ScoringRun)
        .where(ScoringRun.year_id == item.year_id)
        .order_by(ScoringRun.number.desc())
        .limit(1)
    )
    return render_template(
        "results/objection.html",
        item=item,
        run=run,
        year=run.year,
        row=row,
        form=form,
        files=files_of(db.session, EvidenceOwner.objection, [item.id]).get(item.id, []),
        latest=latest,
        band_label=band_label,
    )
