"""Flask-Login wiring: the cookie carries a per-login token looked up in ``login_sessions``.

Session rules (等保 2.0 身份鉴别): a staff login ends after ``SURVEY_IDLE_TIMEOUT_MINUTES``
without a request (default 30) and, whatever the activity, ``SURVEY_SESSION_LIFETIME_HOURS``
after it began (default 8). The idle clock is the last request's time in the signed session
cookie: a browser cannot move it forward, and a copied old cookie is already idle."""

from __future__ import annotations

import datetime as dt
import time

from flask import Flask, session
from flask_babel import lazy_gettext as _l

from survey.accounts import security
from survey.accounts.services import load_login
from survey.db import db
from survey.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    security.init_app(app)
    login_manager.login_view = "public.accounts.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"

    lifetime = dt.timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])
    idle = app.config["IDLE_TIMEOUT_MINUTES"] * 60

    @login_manager.user_loader
    def load_user(token: str):
        seen = session.get(SEEN_KEY)
        if seen is None or time.time() - seen > idle:
            session.pop("_user_id", None)  # idle too long: log in again
            session.pop(SEEN_KEY, None)
            return None
        return load_login(db.session, token, lifetime)

    @app.after_request
    def _note_activity(response):
        if "_user_id" in session:
            session[SEEN_KEY] = int(time.time())
        return response


#: The last request's time (seconds) of a logged-in browser, in the signed session.
SEEN_KEY = "_seen"
