"""Creating and changing jurisdictions, agencies and sections. Each call flushes and writes
the audit log; the view commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency, AgencyKind, Jurisdiction, Section
from survey.audit.services import record, snapshot
from survey.db import utcnow
from survey.errors import DomainError

AGENCY_FIELDS = ("jurisdiction_id", "name", "short_name", "kind", "deleted_at")
SECTION_FIELDS = ("agency_id", "name", "is_business", "deleted_at")
JURISDICTION_FIELDS = ("name", "parent_id")


def _name_taken(session: Session, model, scope_column, scope_value, name: str, own_id=None) -> bool:
    statement = select(model.id).where(scope_column == scope_value, model.name == name)
    if hasattr(model, "deleted_at"):
        statement = statement.where(model.deleted_at.is_(None))
    if own_id is not None:
        statement = statement.where(model.id != own_id)
    return session.scalar(statement) is not None


def create_jurisdiction(
    session: Session, actor, *, name: str, parent_id: int | None
) -> Jurisdiction:
    name = name.strip()
    # parent_id None compares as IS NULL, which the unique constraint alone would miss.
    if _name_taken(session, Jurisdiction, Jurisdiction.parent_id, parent_id, name):
        raise DomainError(_l("A jurisdiction named %(name)s already exists here.", name=name))
    jurisdiction = Jurisdiction(name=name, parent_id=parent_id)
    session.add(jurisdiction)
    session.flush()
    record(
        session,
        actor,
        "jurisdiction.create",
        jurisdiction,
        jurisdiction_id=jurisdiction.id,
        after=snapshot(jurisdiction, JURISDICTION_FIELDS),
    )
    return jurisdiction


def rename_jurisdiction(session: Session, actor, jurisdiction: Jurisdiction, name: str) -> None:
    name = name.strip()
    before = snapshot(jurisdiction, JURISDICTION_FIELDS)
    if _name_taken(
        session, Jurisdiction, Jurisdiction.parent_id, jurisdiction.parent_id, name, jurisdiction.id
    ):
        raise DomainError(_l("A jurisdiction named %(name)s already exists here.", name=name))
    jurisdiction.name = name
    record(
        session,
        actor,
        "jurisdiction.update",
        jurisdiction,
        jurisdiction_id=jurisdiction.id,
        before=before,
        after=snapshot(jurisdiction, JURISDICTION_FIELDS),
    )


def _check_agency_live(agency: Agency) -> None:
    if agency.is_deleted:
        raise DomainError(_l("A deleted agency cannot be edited. Restore it first."))


def _check_agency_name(session: Session, jurisdiction_id: int, name: str, own_id=None) -> None:
    if _name_taken(session, Agency, Agency.jurisdiction_id, jurisdiction_id, name, own_id):
        raise DomainError(
            _l("An agency named %(name)s already exists in this jurisdiction.", name=name)
        )


def create_agency(
    session: Session, actor, *, jurisdiction_id: int, name: str, short_name: str, kind: AgencyKind
) -> Agency:
    name = name.strip()
    _check_agency_name(session, jurisdiction_id, name)
    agency = Agency(
        jurisdiction_id=jurisdiction_id, name=name, short_name=short_name.strip(), kind=kind
    )
    session.add(agency)
    session.flush()
    record(
        session,
        actor,
        "agency.create",
        agency,
        jurisdiction_id=jurisdiction_id,
        after=snapshot(agency, AGENCY_FIELDS),
    )
    return agency


def update_agency(
    session: Session, actor, agency: Agency, *, name: str, short_name: str, kind: AgencyKind
) -> None:
    _check_agency_live(agency)
    name = name.strip()
    _check_agency_name(session, agency.jurisdiction_id, name, agency.id)
    before = snapshot(agency, AGENCY_FIELDS)
    agency.name, agency.short_name, agency.kind = name, short_name.strip(), kind
    record(
        session,
        actor,
        "agency.update",
        agency,
        jurisdiction_id=agency.jurisdiction_id,
        before=before,
        after=snapshot(agency, AGENCY_FIELDS),
    )


def delete_agency(session: Session, actor, agency: Agency) -> None:
    """Soft delete: the agency leaves lists but everything about it is kept."""
    if agency.is_deleted:
        return
    before = snapshot(agency, AGENCY_FIELDS)
    agency.deleted_at = utcnow()
    record(
        session,
        actor,
        "agency.delete",
        agency,
        jurisdiction_id=agency.jurisdiction_id,
        before=before,
        after=snapshot(agency, AGENCY_FIELDS),
    )


def restore_agency(session: Session, actor, agency: Agency) -> None:
    if not agency.is_deleted:
        return
    _check_agency_name(session, agency.jurisdiction_id, agency.name, agency.id)
    before = snapshot(agency, AGENCY_FIELDS)
    agency.deleted_at = None
    record(
        session,
        actor,
        "agency.restore",
        agency,
        jurisdiction_id=agency.jurisdiction_id,
        before=before,
        after=snapshot(agency, AGENCY_FIELDS),
    )


def _check_section_name(session: Session, agency_id: int, name: str, own_id=None) -> None:
    if _name_taken(session, Section, Section.agency_id, agency_id, name, own_id):
        raise DomainError(_l("This agency already has a section named %(name)s.", name=name))


def create_section(
    session: Session, actor, agency: Agency, *, name: str, is_business: bool
) -> Section:
    _check_agency_live(agency)
    name = name.strip()
    _check_section_name(session, agency.id, name)
    section = Section(agency_id=agency.id, name=name, is_business=is_business)
    session.add(section)
    session.flush()
    record(
        session,
        actor,
        "section.create",
        section,
        jurisdiction_id=agency.jurisdiction_id,
        after=snapshot(section, SECTION_FIELDS),
    )
    return section


def update_section(
    session: Session, actor, section: Section, *, name: str, is_business: bool
) -> None:
    _check_agency_live(section.agency)
    name = name.strip()
    _check_section_name(session, section.agency_id, name, section.id)
    before = snapshot(section, SECTION_FIELDS)
    section.name, section.is_business = name, is_business
    record(
        session,
        actor,
        "section.update",
        section,
        jurisdiction_id=section.agency.jurisdiction_id,
        before=before,
        after=snapshot(section, SECTION_FIELDS),
    )


def delete_section(session: Session, actor, section: Section) -> None:
    if section.deleted_at is not None:
        return
    before = snapshot(section, SECTION_FIELDS)
    section.deleted_at = utcnow()
    record(
        session,
        actor,
        "section.delete",
        section,
        jurisdiction_id=section.agency.jurisdiction_id,
        before=before,
        after=snapshot(section, SECTION_FIELDS),
    )
