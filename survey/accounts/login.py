"""Flask-Login wiring: the cookie carries a per-login token looked up in ``login_sessions``."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import lazy_gettext as _l

from survey.accounts.services import load_login
from survey.db import db
from survey.extensions import login_manager


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "public.accounts.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"

    lifetime = dt.timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])

    @login_manager.user_loader
    def load_user(token: str):
        return load_login(db.session, token, lifetime)
