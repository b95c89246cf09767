"""The supervision and social-evaluation platform. ``create_app`` builds the Flask app."""

from __future__ import annotations

import logging

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from survey import config as config_module
from survey.resources import PACKAGE_DIR, resource_dir

__all__ = ["PACKAGE_DIR", "create_app", "resource_dir"]

logger = logging.getLogger(__name__)


def create_app(config_override: dict | None = None) -> Flask:
    settings = config_module.build(config_override)
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        instance_path=settings["INSTANCE_PATH"],
        instance_relative_config=False,
    )
    app.config.update(settings)
    app.permanent_session_lifetime = settings["PERMANENT_SESSION_LIFETIME"]
    if settings["PROXY_COUNT"]:
        count = settings["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    from survey import actions, errors, headers, i18n, inputs, logs, portals, signing, templating
    from survey.accounts import login as account_login
    from survey.db import db
    from survey.extensions import csrf
    from survey.features import (
        AGENCY_HUB,
        FEATURE_BLUEPRINTS,
        RUN_FINALISE_CHECKS,
        YEAR_CLOSE_CHECKS,
    )

    inputs.init_app(app)
    signing.init_app(app)
    app.dispatch_request = actions.retrying(app.dispatch_request)
    logs.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    account_login.init_app(app)
    headers.init_app(app)
    templating.init_app(app)
    errors.register_error_handlers(app)
    portals.register(app, FEATURE_BLUEPRINTS)
    app.extensions["year_close_checks"] = tuple(YEAR_CLOSE_CHECKS)
    app.extensions["run_finalise_checks"] = tuple(RUN_FINALISE_CHECKS)
    app.extensions["agency_hub"] = AGENCY_HUB
    logger.debug("app created for %s", app.config["DATABASE_URL"].split("@")[-1])
    return app
