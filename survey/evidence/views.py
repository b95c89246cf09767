"""Downloading evidence: the agency's own files in the agency portal, files of supervised
agencies in the admin portal (supervisors only). Always as an attachment, never inline."""

from __future__ import annotations

from flask import Blueprint, abort, g, send_file
from flask_login import current_user
from sqlalchemy import select

from survey.agencies.models import Agency
from survey.agencies.queries import scope_ids
from survey.db import db
from survey.evidence import storage
from survey.evidence.models import EvidenceFile
from survey.evidence.services import evidence_in_agencies_or_404

agency_evidence = Blueprint("evidence", __name__, url_prefix="/evidence")
admin_evidence = Blueprint("evidence", __name__, url_prefix="/evidence")


def _send(row: EvidenceFile):
    path = storage.path_of(row.sha256)
    if not path.is_file():
        abort(404)
    return send_file(
        path, mimetype=row.content_type, as_attachment=True, download_name=row.filename
    )


@agency_evidence.route("/<int:evidence_id>", endpoint="download")
def agency_download(evidence_id: int):
    return _send(evidence_in_agencies_or_404(db.session, evidence_id, [g.agency.id]))


@admin_evidence.route("/<int:evidence_id>", endpoint="download")
def admin_download(evidence_id: int):
    agency_ids = db.session.scalars(
        select(Agency.id).where(Agency.jurisdiction_id.in_(scope_ids(db.session, current_user)))
    )
    return _send(evidence_in_agencies_or_404(db.session, evidence_id, agency_ids))
