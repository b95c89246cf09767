"""Reading jurisdictions and agencies within what a user may see.

A supervisor of the city sees the city and every district under it; a district's
supervisor sees only that district. Every admin view reads through these helpers.
"""

from __future__ import annotations

from typing import Protocol

from flask import abort
from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency, Jurisdiction, Section


class Viewer(Protocol):
    """What scoping reads of a user (``accounts.User``, a floor above): its office's
    jurisdiction, None for agency staff."""

    jurisdiction_id: int | None


def jurisdiction_ids_under(session: Session, root_id: int) -> list[int]:
    """``root_id`` and every jurisdiction nested under it, nearest first: one recursive
    query (every scoped staff page asks this), not one query per level."""
    tree = (
        select(Jurisdiction.id, literal(0).label("depth"))
        .where(Jurisdiction.id == root_id)
        .cte("tree", recursive=True)
    )
    tree = tree.union_all(
        select(Jurisdiction.id, (tree.c.depth + 1).label("depth")).where(
            Jurisdiction.parent_id == tree.c.id
        )
    )
    found = list(session.scalars(select(tree.c.id).order_by(tree.c.depth, tree.c.id)))
    return found or [root_id]


def scope_ids(session: Session, user: Viewer) -> list[int]:
    """The jurisdictions an office user may read."""
    if user.jurisdiction_id is None:
        return []
    return jurisdiction_ids_under(session, user.jurisdiction_id)


def visible_jurisdictions(session: Session, user: Viewer) -> list[Jurisdiction]:
    ids = scope_ids(session, user)
    return list(
        session.scalars(
            select(Jurisdiction).where(Jurisdiction.id.in_(ids)).order_by(Jurisdiction.id)
        )
    )


def visible_agencies(
    session: Session,
    user: Viewer,
    *,
    jurisdiction_id: int | None = None,
    include_deleted: bool = False,
    search: str = "",
    kind=None,
):
    ids = scope_ids(session, user)
    if jurisdiction_id is not None:
        ids = [jid for jid in ids if jid == jurisdiction_id]
    statement = select(Agency).where(Agency.jurisdiction_id.in_(ids))
    if not include_deleted:
        statement = statement.where(Agency.deleted_at.is_(None))
    if search:
        # autoescape: the user's % and _ are matched as text, not as wildcards.
        statement = statement.where(
            Agency.name.icontains(search, autoescape=True)
            | Agency.short_name.icontains(search, autoescape=True)
        )
    if kind is not None:
        statement = statement.where(Agency.kind == kind)
    return list(session.scalars(statement.order_by(Agency.jurisdiction_id, Agency.id)))


def jurisdiction_or_404(session: Session, user: Viewer, jurisdiction_id: int) -> Jurisdiction:
    jurisdiction = session.get(Jurisdiction, jurisdiction_id)
    if jurisdiction is None or jurisdiction.id not in scope_ids(session, user):
        abort(404)
    return jurisdiction


def agency_or_404(session: Session, user: Viewer, agency_id: int) -> Agency:
    """The agency if the user's office supervises it; 404 otherwise (no existence leak)."""
    agency = session.get(Agency, agency_id)
    if agency is None or agency.jurisdiction_id not in scope_ids(session, user):
        abort(404)
    return agency


def section_or_404(session: Session, user: Viewer, section_id: int) -> Section:
    section = session.get(Section, section_id)
    if section is None or section.deleted_at is not None:  # removed sections are history
        abort(404)
    agency_or_404(session, user, section.agency_id)
    return section
