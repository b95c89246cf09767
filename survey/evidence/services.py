"""Attaching uploaded files to a record, and finding them again within what a user may see."""

from __future__ import annotations

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from survey.agencies.models import Agency
from survey.errors import DomainError
from survey.evidence import storage
from survey.evidence.models import EvidenceFile, EvidenceOwner

MAX_FILES_PER_UPLOAD = 5


def uploads(files: list[FileStorage] | None) -> list[tuple[str, bytes]]:
    """The non-empty file fields of a form as (name, bytes); an empty file input sends an
    unnamed part, which is no upload, and a form without the input sends nothing."""
    return [(f.filename, f.read()) for f in files or [] if f is not None and f.filename]


def attach(
    session: Session,
    actor,
    agency: Agency,
    owner_type: EvidenceOwner,
    owner_id: int,
    files: list[tuple[str, bytes]],
) -> list[EvidenceFile]:
    """Check every file first (any bad one refuses all), then store and record them."""

    if len(files) > MAX_FILES_PER_UPLOAD:
        raise DomainError(_l("At most %(n)d files at a time.", n=MAX_FILES_PER_UPLOAD))
    checked = [(storage.check(name, data), data) for name, data in files]
    rows = []
    for stored, data in checked:
        storage.write(stored, data)
        row = EvidenceFile(
            agency_id=agency.id,
            owner_type=owner_type,
            owner_id=owner_id,
            filename=stored.filename,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            uploaded_by_id=actor.id,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def files_of(
    session: Session, owner_type: EvidenceOwner, owner_ids
) -> dict[int, list[EvidenceFile]]:
    ids = list(owner_ids)
    found: dict[int, list[EvidenceFile]] = {owner_id: [] for owner_id in ids}
    if not ids:
        return found
    rows = session.scalars(
        select(EvidenceFile)
        .where(EvidenceFile.owner_type == owner_type, EvidenceFile.owner_id.in_(ids))
        .order_by(EvidenceFile.id)
    )
    for row in rows:
        found[row.owner_id].append(row)
    return found


def evidence_in_agencies_or_404(session: Session, evidence_id: int, agency_ids) -> EvidenceFile:
    row = session.get(EvidenceFile, evidence_id)
    if row is None or row.agency_id not in set(agency_ids):
        abort(404)
    return row
