"""The four portals. Each is a parent blueprint with one guard; feature blueprints hang
under a portal, so a new view cannot forget its access check (STYLE rule 3).

- ``admin``   /admin    supervisors (编办) and viewers; viewers only where a view allows it
- ``agency``  /agency   agency editors and leaders, always scoped to their own agency
- ``account`` /account  any logged-in user: own password, logout
- ``public``  /         anyone: login, and later the respondents' survey pages
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from survey.extensions import login_manager

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def viewer_may_read(view):
    """Let viewers (read-only users) GET this admin view; every other admin view is
    supervisors only. Deny by default: a new view is closed to viewers until marked."""
    view.viewer_may_read = True
    return view


def _require_login():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.must_change_password:
        return redirect(url_for("account.accounts.change_password", next=request.full_path))
    return None


def guard_admin():
    if (response := _require_login()) is not None:
        return response
    if current_user.is_supervisor:
        return None
    if current_user.is_viewer and request.method in SAFE_METHODS:
        view = current_app.view_functions.get(request.endpoint)
        if getattr(view, "viewer_may_read", False):
            return None
    abort(403)


def guard_agency():
    if (response := _require_login()) is not None:
        return response
    if not current_user.role.is_agency_role:
        abort(403)
    own = current_user.agency
    if own is None or own.is_deleted:
        abort(403)
    # Views read the agency from here, never from the URL.
    g.agency = own
    return None


def guard_account():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


GUARDS = {
    "admin": ("/admin", guard_admin),
    "agency": ("/agency", guard_agency),
    "account": ("/account", guard_account),
    "public": (None, None),
}


def register(app, feature_blueprints) -> None:
    """Build the portals for this app, hang each feature blueprint under its portal, and
    register the portals. Portals are made per app so that several apps (tests) can coexist."""
    portals = {}
    for name, (url_prefix, guard) in GUARDS.items():
        portal = Blueprint(name, __name__, url_prefix=url_prefix)
        if guard is not None:
            portal.before_request(guard)
        portals[name] = portal
    for portal_name, blueprint in feature_blueprints:
        portals[portal_name].register_blueprint(blueprint)
    for portal in portals.values():
        app.register_blueprint(portal)
