"""Login throttling and the security events of the audit log (等保 2.0 安全审计).

Failed logins slow down, they never lock (issue 17 item 5): a wrong password counts against
the pair (user name, address), the user name from anywhere, and the address for any user
name, each with its own allowance and a delay that doubles with every further failure up to a
cap. An office behind one NAT address shares only the address's allowance, which is large;
one clerk's typos slow down that clerk, not the office, and not the account for its owner on
another address until an attacker has failed many times.

Logins, failed logins, delayed attempts and logouts are written to the append-only audit log
with the time, the user (or the name typed) and the address, in the jurisdiction of the user
(an unknown name: the top-level jurisdiction), so that office's supervisor reads them.
"""

from __future__ import annotations

import math

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import throttle
from survey.accounts.models import User
from survey.accounts.services import user_jurisdiction_id
from survey.agencies.models import Jurisdiction
from survey.auditing import AuditEntry

# The pair: a person mistyping; the account: someone guessing one name from many addresses;
# the address: one machine trying many names (a NAT office is one address: a large allowance).
PAIR = throttle.Rule("login-pair", free=3, first=2.0, cap=60.0)
ACCOUNT = throttle.Rule("login-account", free=10, first=2.0, cap=60.0)
ADDRESS = throttle.Rule("login-address", free=30, first=1.0, cap=30.0)


def _scopes(username: str, address: str) -> list[tuple[throttle.Rule, str]]:
    name = username.strip().lower()
    return [(PAIR, f"{name}|{address}"), (ACCOUNT, name), (ADDRESS, address)]


def client_address() -> str:
    return request.remote_addr or "unknown"


def seconds_to_wait(username: str, address: str) -> int:
    """Whole seconds before this login attempt may be checked (0: now)."""
    wait = max(throttle.wait_seconds(rule, scope) for rule, scope in _scopes(username, address))
    return math.ceil(wait)


def count_failure(username: str, address: str) -> None:
    for rule, scope in _scopes(username, address):
        throttle.failed(rule, scope)


def count_success(username: str, address: str) -> None:
    throttle.forget(PAIR, _scopes(username, address)[0][1])


def store_degraded() -> bool:
    """The last count fell back to this process (Redis configured but unreachable)."""
    return throttle.counters().degraded


def _top_jurisdiction(session: Session) -> int | None:
    return session.scalar(
        select(Jurisdiction.id).where(Jurisdiction.parent_id.is_(None)).order_by(Jurisdiction.id)
    )


def record_event(
    session: Session, action: str, user: User | None, username: str, *, acting: bool, **details
) -> AuditEntry:
    """One security event in the audit log (flushed; the caller commits). ``user`` is the
    account concerned (None for a name nobody has); ``acting``: that user did it (a login, a
    logout), not someone typing its name."""
    if user is not None:
        jurisdiction_id = user_jurisdiction_id(user)
    else:
        jurisdiction_id = _top_jurisdiction(session)
    entry = AuditEntry(
        actor_id=user.id if user is not None and acting else None,
        jurisdiction_id=jurisdiction_id,
        action=action,
        entity_type=User.__tablename__,
        entity_id=user.id if user is not None else None,
        after={"username": username[:50], "address": client_address(), **details},
    )
    session.add(entry)
    session.flush()
    return entry
