"""Creating and changing jurisdictions, agencies and sections. Each call flushes and writes
the audit log; the view commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.agencies.models import Agency, AgencyKind, Jurisdiction, Section
from survey.auditing import audited, record, snapshot
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


def _flush_unique(session: Session, taken, name: str) -> None:
    """Flush the change the name check allowed. Should another request have saved the same
    name in between, the unique index refuses it: the user gets the check's message, not a
    500, and the view rolls back."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise taken(name) from exc


def _jurisdiction_name_taken(name: str) -> DomainError:
    return DomainError(_l("A jurisdiction named %(name)s already exists here.", name=name))


def _agency_name_taken(name: str) -> DomainError:
    return DomainError(
        _l("An agency named %(name)s already exists in this jurisdiction.", name=name)
    )


def _section_name_taken(name: str) -> DomainError:
    return DomainError(_l("This agency already has a section named %(name)s.", name=name))


def create_jurisdiction(
    session: Session, actor, *, name: str, parent_id: int | None
) -> Jurisdiction:
    name = name.strip()
    # parent_id None compares as IS NULL, which the unique constraint alone would miss.
    if _name_taken(session, Jurisdiction, Jurisdiction.parent_id, parent_id, name):
        raise _jurisdiction_name_taken(name)
    jurisdiction = Jurisdiction(name=name, parent_id=parent_id)
    session.add(jurisdiction)
    _flush_unique(session, _jurisdiction_name_taken, name)
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
    with audited(
        session,
        actor,
        "jurisdiction.update",
        jurisdiction,
        JURISDICTION_FIELDS,
        jurisdiction_id=jurisdiction.id,
    ):
        if _name_taken(
            session,
            Jurisdiction,
            Jurisdiction.parent_id,
            jurisdiction.parent_id,
            name,
            jurisdiction.id,
        ):
            raise _jurisdiction_name_taken(name)
        jurisdiction.name = name
        _flush_unique(session, _jurisdiction_name_taken, name)


def _check_agency_live(agency: Agency) -> None:
    if agency.is_deleted:
        raise DomainError(_l("A deleted agency cannot be edited. Restore it first."))


def _check_agency_name(session: Session, jurisdiction_id: int, name: str, own_id=None) -> None:
    if _name_taken(session, Agency, Agency.jurisdiction_id, jurisdiction_id, name, own_id):
        raise _agency_name_taken(name)


def create_agency(
    session: Session, actor, *, jurisdiction_id: int, name: str, short_name: str, kind: AgencyKind
) -> Agency:
    name = name.strip()
    _check_agency_name(session, jurisdiction_id, name)
    agency = Agency(
        jurisdiction_id=jurisdiction_id, name=name, short_name=short_name.strip(), kind=kind
    )
    session.add(agency)
    _flush_unique(session, _agency_name_taken, name)
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
    with audited(
        session,
        actor,
        "agency.update",
        agency,
        AGENCY_FIELDS,
        jurisdiction_id=agency.jurisdiction_id,
    ):
        agency.name, agency.short_name, agency.kind = name, short_name.strip(), kind
        _flush_unique(session, _agency_name_taken, name)


def delete_agency(session: Session, actor, agency: Agency) -> None:
    """Soft delete: the agency leaves lists but everything about it is kept."""
    if agency.is_deleted:
        return
    with audited(
        session,
        actor,
        "agency.delete",
        agency,
        AGENCY_FIELDS,
        jurisdiction_id=agency.jurisdiction_id,
    ):
        agency.deleted_at = utcnow()


def restore_agency(session: Session, actor, agency: Agency) -> None:
    if not agency.is_deleted:
        return
    _check_agency_name(session, agency.jurisdiction_id, agency.name, agency.id)
    with audited(
        session,
        actor,
        "agency.restore",
        agency,
        AGENCY_FIELDS,
        jurisdiction_id=agency.jurisdiction_id,
    ):
        agency.deleted_at = None
        _flush_unique(session, _agency_name_taken, agency.name)


def _check_section_name(session: Session, agency_id: int, name: str, own_id=None) -> None:
    if _name_taken(session, Section, Section.agency_id, agency_id, name, own_id):
        raise _section_name_taken(name)


def create_section(
    session: Session, actor, agency: Agency, *, name: str, is_business: bool
) -> Section:
    _check_agency_live(agency)
    name = name.strip()
    _check_section_name(session, agency.id, name)
    section = Section(agency_id=agency.id, name=name, is_business=is_business)
    session.add(section)
    _flush_unique(session, _section_name_taken, name)
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
    with audited(
        session,
        actor,
        "section.update",
        section,
        SECTION_FIELDS,
        jurisdiction_id=section.agency.jurisdiction_id,
    ):
        section.name, section.is_business = name, is_business
        _flush_unique(session, _section_name_taken, name)


def delete_section(session: Session, actor, section: Section) -> None:
    if section.deleted_at is not None:
        return
    with audited(
        session,
        actor,
        "section.delete",
        section,
        SECTION_FIELDS,
        jurisdiction_id=section.agency.jurisdiction_id,
    ):
        section.deleted_at = utcnow()
