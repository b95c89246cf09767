"""Logging: modules log through ``logging.getLogger(__name__)`` with %-style arguments.

When nothing has configured logging (the CLI, the development server), send INFO and above
to stderr; under gunicorn, its ``--log-level`` and handlers apply instead. Passwords and
tokens are never passed to a logger.
"""

from __future__ import annotations

import logging

from survey.accesslog import TokenFreeFilter

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def init_app(app) -> None:
    root = logging.getLogger()
    if not root.handlers and not app.config["TESTING"]:
        logging.basicConfig(level=logging.WARNING, format=FORMAT)
    logging.getLogger("survey").setLevel(logging.INFO)
    # The development server logs each request line: never a respondent's token.
    werkzeug = logging.getLogger("werkzeug")
    if not any(isinstance(f, TokenFreeFilter) for f in werkzeug.filters):
        werkzeug.addFilter(TokenFreeFilter())
