"""Accounts: creating and changing users, logging in and out.

Services take the acting user as an argument and flush; the view commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.accounts.models import LoginSession, Role, User
from survey.accounts.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from survey.auditing import record, snapshot
from survey.db import utcnow
from survey.errors import DomainError

logger = logging.getLogger(__name__)

USER_FIELDS = ("username", "display_name", "role", "jurisdiction_id", "agency_id", "is_active")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_jurisdiction_id(user: User) -> int:
    return user.jurisdiction_id if user.agency_id is None else user.agency.jurisdiction_id


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None. Upgrades an outdated hash.

    An unknown name costs what a known one costs: one verification, against a hash made once
    per process (hashing a dummy on each attempt made it cost two, a 1.6–2.1× tell)."""
    user = find_user(session, username)
    if user is None:
        verify_password(dummy_hash(), password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def start_login(session: Session, user: User) -> str:
    """Create a login-session row and return its token (for the cookie, never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(token_hash=token_hash(token), user_id=user.id))
    user.last_login_at = utcnow()
    user.session_token = token
    session.flush()
    logger.info("login %s", user.username)
    return token


def load_login(session: Session, token: str, lifetime: dt.timedelta) -> User | None:
    """The user of a live login. A login older than ``lifetime`` is dead whatever the cookie
    says (absolute timeout, ASVS 7.3.2); it is not refreshed by activity."""
    login = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(token)))
    if login is None or not login.user.is_active:
        return None
    if login.created_at < utcnow() - lifetime:
        return None
    user = login.user
    user.session_token = token
    return user


def end_login(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_hash == token_hash(token)))


def end_all_logins(session: Session, user: User, keep_token: str | None = None) -> None:
    statement = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_token is not None:
        statement = statement.where(LoginSession.token_hash != token_hash(keep_token))
    session.execute(statement)


def _check_scope(role: Role, jurisdiction_id: int | None, agency_id: int | None) -> None:
    if role.is_agency_role and agency_id is None:
        raise DomainError(_l("An agency account must belong to an agency."))
    if not role.is_agency_role and jurisdiction_id is None:
        raise DomainError(_l("This role must belong to a jurisdiction."))


def _check_username_free(session: Session, username: str, user_id: int | None = None) -> None:
    statement = select(User.id).where(func.lower(User.username) == username.lower())
    if user_id is not None:
        statement = statement.where(User.id != user_id)
    if session.scalar(statement) is not None:
        raise _username_taken(username)


def _username_taken(username: str) -> DomainError:
    return DomainError(_l("The user name %(name)s is already taken.", name=username))


def _flush_user(session: Session, username: str) -> None:
    """Flush the account the checks allowed; a user name saved by another request since
    the check hits the unique constraint and gets the check's message, not a 500."""
    try:
        session.flush()
    except IntegrityError as exc:
        raise _username_taken(username) from exc


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem:
        raise DomainError(problem)


def create_user(
    session: Session,
    actor: User | None,
    *,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    jurisdiction_id: int | None = None,
    agency_id: int | None = None,
    must_change_password: bool = True,
) -> User:
    username = username.strip()
    if role.is_agency_role:
        jurisdiction_id = None
    else:
        agency_id = None
    _check_scope(role, jurisdiction_id, agency_id)
    _check_username_free(session, username)
    _check_password(password, username)
    user = User(
        username=username,
        display_name=display_name.strip(),
        role=role,
        jurisdiction_id=jurisdiction_id,
        agency_id=agency_id,
        password_hash=hash_password(password),
        must_change_password=must_change_password,
    )
    session.add(user)
    _flush_user(session, username)
    record(
        session,
        actor,
        "user.create",
        user,
        jurisdiction_id=user_jurisdiction_id(user),
        after=snapshot(user, USER_FIELDS),
    )
    return user


def update_user(session: Session, actor: User, user: User, **changes) -> User:
    before = snapshot(user, USER_FIELDS)
    role = changes.get("role", user.role)
    jurisdiction_id = changes.get("jurisdiction_id", user.jurisdiction_id)
    agency_id = changes.get("agency_id", user.agency_id)
    if role.is_agency_role:
        jurisdiction_id = None
    else:
        agency_id = None
    _check_scope(role, jurisdiction_id, agency_id)
    if "username" in changes:
        changes["username"] = changes["username"].strip()
        _check_username_free(session, changes["username"], user.id)
    scope_changed = (role, jurisdiction_id, agency_id) != (
        user.role,
        user.jurisdiction_id,
        user.agency_id,
    )
    if scope_changed and actor is not None and actor.id == user.id:
        # Like deactivating oneself: it could lock the last supervisor out.
        raise DomainError(_l("You cannot change your own role or scope."))
    for name in ("username", "display_name"):
        if name in changes:
            setattr(user, name, changes[name])
    user.role, user.jurisdiction_id, user.agency_id = role, jurisdiction_id, agency_id
    _flush_user(session, changes.get("username", before["username"]))
    if scope_changed:  # what the user may see changed: make them log in again
        end_all_logins(session, user)
    record(
        session,
        actor,
        "user.update",
        user,
        jurisdiction_id=user_jurisdiction_id(user),
        before=before,
        after=snapshot(user, USER_FIELDS),
    )
    return user


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    if actor is not None and actor.id == user.id and not active:
        raise DomainError(_l("You cannot deactivate your own account."))
    before = snapshot(user, USER_FIELDS)
    user.is_active = active
    if not active:
        end_all_logins(session, user)
    record(
        session,
        actor,
        "user.activate" if active else "user.deactivate",
        user,
        jurisdiction_id=user_jurisdiction_id(user),
        before=before,
        after=snapshot(user, USER_FIELDS),
    )


def reset_password(session: Session, actor: User, user: User, password: str) -> None:
    """An administrator sets a one-time password; the user must change it at next login."""
    _check_password(password, user.username)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_all_logins(session, user)
    record(
        session,
        actor,
        "user.reset_password",
        user,
        jurisdiction_id=user_jurisdiction_id(user),
    )


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """The user changes their own password; other logins of theirs end."""
    if not verify_password(user.password_hash, current):
        raise DomainError(_l("The current password is not correct."))
    if current == new:
        raise DomainError(_l("The new password must differ from the current one."))
    _check_password(new, user.username)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_all_logins(session, user, keep_token=user.session_token)
    record(session, user, "user.change_password", user, jurisdiction_id=user_jurisdiction_id(user))
