"""The standard questionnaires and their versions (admin): a list, and a preview of any
version exactly as a respondent sees it."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from survey.db import db
from survey.portals import viewer_may_read
from survey.questionnaires.models import Questionnaire, QuestionnaireVersion
from survey.questionnaires.schema import parse_definition
from survey.years.config import GROUP_LABELS

admin_questionnaires = Blueprint("questionnaires", __name__, url_prefix="/questionnaires")


@admin_questionnaires.route("/")
@viewer_may_read
def index():
    questionnaires = db.session.scalars(
        select(Questionnaire)
        .options(selectinload(Questionnaire.versions))
        .order_by(Questionnaire.slug)
    ).all()
    return render_template(
        "questionnaires/index.html", questionnaires=questionnaires, group_labels=GROUP_LABELS
    )


@admin_questionnaires.route("/versions/<int:version_id>")
@viewer_may_read
def preview(version_id: int):
    # Questionnaires are shared by every jurisdiction: no scope to check.
    version = db.session.get(QuestionnaireVersion, version_id)
    if version is None:
        abort(404)
    definition = parse_definition(version.definition, where=version.label)
    return render_template("questionnaires/preview.html", version=version, definition=definition)
