"""The append-only audit log and its writer. Every state change of a service calls ``record``
in its transaction; the database refuses UPDATE and DELETE (see the migration).

It lives in the core so that every feature, accounts and agencies included, can write to it;
``survey.audit`` is its reading side (the admin page).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from contextlib import contextmanager
from decimal import Decimal

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from survey.db import Base, UTCDateTime, utcnow

logger = logging.getLogger(__name__)


def request_address() -> str | None:
    """The address of the request being served, if any."""
    return request.remote_addr if has_request_context() else None


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Users and jurisdictions by key only: the log is written from the core, below them.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The jurisdiction the entity belongs to, so each office reads only its own entries.
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    entity_type: Mapped[str] = mapped_column(String(50), index=True)
    entity_id: Mapped[int | None]
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    # The network address of the request that made the change (None: the CLI, or before
    # addresses were recorded). Behind a proxy, SURVEY_PROXY_COUNT makes it the client's.
    address: Mapped[str | None] = mapped_column(String(45), default=request_address)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.entity_type}:{self.entity_id}>"


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # exact, as entered: 92.5 stays "92.5"
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def snapshot(obj, fields: tuple[str, ...]) -> dict:
    """The listed attributes of ``obj`` as JSON-ready values."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def record(
    session: Session,
    actor,
    action: str,
    entity,
    *,
    jurisdiction_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Append one entry; flushed with the change it describes, in the same transaction."""
    session.flush()  # the entity needs its id
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        jurisdiction_id=jurisdiction_id,
        action=action,
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        before=_plain(before),
        after=_plain(after),
    )
    session.add(entry)
    # DEBUG: the audit log itself is the record; INFO would repeat every row on stderr.
    logger.debug(
        "%s %s %s:%s",
        actor.username if actor is not None else "system",
        action,
        entry.entity_type,
        entry.entity_id,
    )
    return entry


@contextmanager
def audited(
    session: Session,
    actor,
    action: str,
    entity,
    fields: tuple[str, ...],
    *,
    jurisdiction_id: int | None,
):
    """Record ``action`` on ``entity`` with the listed fields before and after the block.

    Nothing is recorded when the block raises: the change did not happen.
    """
    before = snapshot(entity, fields)
    yield
    record(
        session,
        actor,
        action,
        entity,
        jurisdiction_id=jurisdiction_id,
        before=before,
        after=snapshot(entity, fields),
    )
