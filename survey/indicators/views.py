"""Public-indicator scores of a year for the 编办 (admin portal): the current scores and the
import history (viewers may read them), the template and the import (supervisors only)."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from survey.db import db
from survey.indicators import importing, queries
from survey.portals import viewer_may_read
from survey.spreadsheets import XLSX_MIMETYPE
from survey.years.models import AssessmentYear
from survey.years.queries import year_or_404

admin_indicators = Blueprint("indicators", __name__, url_prefix="/indicators")


class IndicatorImportForm(FlaskForm):
    file = FileField(_l("Excel file (.xlsx)"), validators=[FileRequired()])


def _year_or_404(year_id) -> AssessmentYear:
    return year_or_404(db.session, current_user, year_id)


@admin_indicators.route("/<int:year_id>")
@viewer_may_read
def index(year_id: int):
    year = _year_or_404(year_id)
    indicators, rows = queries.score_matrix(queries.current_scores(db.session, year))
    return render_template(
        "indicators/index.html",
        year=year,
        indicators=indicators,
        rows=rows,
        imports=queries.import_history(db.session, year),
        number=queries.plain_number,
    )


@admin_indicators.route("/<int:year_id>/template.xlsx")
def template(year_id: int):
    year = _year_or_404(year_id)
    return send_file(
        BytesIO(importing.template_bytes(db.session, year)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=f"indicators-template-{year.year}.xlsx",
    )


@admin_indicators.route("/<int:year_id>/import", methods=["GET", "POST"])
def upload(year_id: int):
    year = _year_or_404(year_id)
    form = IndicatorImportForm()
    errors: list[tuple[int, str]] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = importing.import_scores(
                db.session, current_user, year, upload.filename or "", upload.read()
            )
            db.session.commit()
        except importing.ImportRefused as refused:
            db.session.rollback()
            errors = refused.errors
        else:
            flash(
                ngettext(
                    "%(num)d public-indicator score imported.",
                    "%(num)d public-indicator scores imported.",
                    batch.row_count,
                ),
                "success",
            )
            return redirect(url_for(".index", year_id=year.id))
    return render_template("indicators/import.html", year=year, form=form, errors=errors)
