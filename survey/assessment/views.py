"""The inputs of 履职时效度 and 履职全面度 for one year (admin; viewers may read), on a page and
as CSV downloads."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from survey.assessment.inputs import (
    LATE,
    NOT_DONE,
    ON_TIME,
    OPEN,
    comprehensiveness_rows,
    timeliness_counts,
    timeliness_rows,
)
from survey.clock import beijing_today
from survey.db import db
from survey.portals import viewer_may_read
from survey.spreadsheets import safe_text
from survey.targets.models import Category
from survey.verification.models import FindingKind, Severity
from survey.years.models import AssessmentYear
from survey.years.queries import year_or_404

admin_assessment = Blueprint("assessment", __name__, url_prefix="/assessment")

OUTCOME_LABELS = {
    ON_TIME: _l("On time"),
    LATE: _l("Late"),
    NOT_DONE: _l("Not done"),
    OPEN: _l("Not yet due"),
}
CSV_ROWS_PER_CHUNK = 500


def _year_or_404(year_id) -> AssessmentYear:
    return year_or_404(db.session, current_user, year_id)


@admin_assessment.route("/<int:year_id>/inputs")
@viewer_may_read
def inputs(year_id: int):
    year = _year_or_404(year_id)
    timeliness = timeliness_rows(db.session, year, today=beijing_today())
    return render_template(
        "assessment/inputs.html",
        year=year,
        timeliness=timeliness,
        counts=timeliness_counts(timeliness),
        comprehensiveness=comprehensiveness_rows(db.session, year),
        outcome_labels=OUTCOME_LABELS,
        categories=list(Category),
        kinds=list(FindingKind),
        severities=list(Severity),
    )


def _date(value) -> str:
    return value.isoformat() if value is not None else ""


def _timeliness_table(year: AssessmentYear) -> list[list]:
    header = [_("Agency"), _("Target"), _("Deadline"), _("Completed on"), _("Timeliness result")]
    table = [[*header, _("Days late")]]
    for row in timeliness_rows(db.session, year, today=beijing_today()):
        table.append(
            [
                row.agency_name,
                row.title,
                _date(row.deadline),
                _date(row.completed_on),
                str(OUTCOME_LABELS[row.outcome]),
                row.days_late,
            ]
        )
    return table


def _labels(members, chosen) -> str:
    """The labels of the ``chosen`` members, in the enum's order."""
    return "; ".join(member.label for member in members if member in chosen)


def _comprehensiveness_table(year: AssessmentYear) -> list[list]:
    header = [
        _("Agency"),
        _("Target set"),
        _("Targets"),
        _("Categories covered"),
        _("Categories missing"),
        _("Business sections covered"),
        _("Business sections missing"),
        *(kind.label for kind in FindingKind),
        *(severity.label for severity in Severity),
        _("Duty findings"),
    ]
    table = [header]
    for row in comprehensiveness_rows(db.session, year):
        findings = "\n".join(
            f"{finding.kind.label} / {finding.severity.label}: {finding.description}"
            for finding in row.findings
        )
        table.append(
            [
                row.agency_name,
                row.set_state.label,
                row.target_count,
                _labels(Category, row.categories_covered),
                _labels(Category, row.categories_missing),
                "; ".join(row.business_sections_covered),
                "; ".join(row.business_sections_missing),
                *(row.findings_by_kind[kind] for kind in FindingKind),
                *(row.findings_by_severity[severity] for severity in Severity),
                findings,
            ]
        )
    return table


TABLES = {"timeliness": _timeliness_table, "comprehensiveness": _comprehensiveness_table}


def _csv_chunks(table: list[list]):
    """UTF-8 with a BOM (so Excel reads the Chinese right); every cell formula-safe. The
    table is read before streaming starts, so no database work outlives the request."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield "\ufeff".encode()
    for number, row in enumerate(table, start=1):
        writer.writerow([safe_text(cell) for cell in row])
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


@admin_assessment.route("/<int:year_id>/inputs.csv")
@viewer_may_read
def inputs_csv(year_id: int):
    year = _year_or_404(year_id)
    name = request.args.get("table", "timeliness")
    if name not in TABLES:
        abort(404)
    table = TABLES[name](year)
    return Response(
        _csv_chunks(table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="inputs-{year.year}-{name}.csv"'},
    )
