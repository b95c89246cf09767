"""Staff accounts and their login sessions."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.agencies.models import Agency, Jurisdiction
from survey.db import Base, UTCDateTime, utcnow
from survey.errors import DomainError
from survey.types import LabelledEnum, value_enum


class Role(LabelledEnum):
    supervisor = ("supervisor", _l("Supervisor (编办)"))  # 编办, scoped to a jurisdiction
    agency_editor = ("agency_editor", _l("Agency editor"))  # 机关填报员, scoped to one agency
    # 机关负责人, signs off, scoped to one agency
    agency_leader = ("agency_leader", _l("Agency leader"))
    viewer = ("viewer", _l("Viewer"))  # read-only, scoped to a jurisdiction

    @property
    def is_agency_role(self) -> bool:
        return self in {Role.agency_editor, Role.agency_leader}


class User(Base):
    """A staff member. Never deleted: deactivated, so the audit log keeps its actor."""

    __tablename__ = "users"
    __table_args__ = (
        # Agency roles are scoped to one agency; office roles to a jurisdiction.
        CheckConstraint(
            "(role IN ('agency_editor', 'agency_leader') AND agency_id IS NOT NULL"
            " AND jurisdiction_id IS NULL)"
            " OR (role IN ('supervisor', 'viewer') AND jurisdiction_id IS NOT NULL"
            " AND agency_id IS NULL)",
            name="scope_matches_role",
        ),
        CheckConstraint("length(trim(username)) > 0", name="username_not_blank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(value_enum(Role, "user_role"))
    jurisdiction_id: Mapped[int | None] = mapped_column(ForeignKey("jurisdictions.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    jurisdiction: Mapped[Jurisdiction | None] = relationship()
    agency: Mapped[Agency | None] = relationship()

    # Flask-Login protocol. get_id() is the token of *this login*, not the user id, so that
    # a session cookie dies with its row (logout, deactivation, password change).
    session_token = None  # set per request by the login loader; not a column
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_supervisor(self) -> bool:
        return self.role is Role.supervisor

    @property
    def is_viewer(self) -> bool:
        return self.role is Role.viewer

    def require_leader(self) -> None:
        """Refuse a sign-off by anyone but the agency's leader (the leadership answers for it)."""
        if self.role is not Role.agency_leader:
            raise DomainError(
                _l("Only the agency's leader can sign this off: the leadership answers for it.")
            )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username} {self.role.value}>"


class LoginSession(Base):
    """One row per live login. Only a hash of the cookie token is stored."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<LoginSession {self.id} user={self.user_id}>"
