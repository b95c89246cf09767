"""Access logs that never hold a respondent's token (issue 17 item 3).

A token is a bearer secret printed on a QR code (``/T/<token>``). The app answers that
address with an immediate redirect to ``/T`` and sends no Referer from the respondents'
pages, but the first request line still names the token, so every logger that writes request
lines goes through ``redact``:

- gunicorn: ``--logger-class survey.accesslog.TokenFreeLogger`` (docs/deploy.md);
- the development server (werkzeug's request log): a filter installed by ``logs.init_app``;
- nginx: docs/nginx-survey.conf logs a redacted address and no Referer.
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger

# /T/<token>, also percent-encoded or inside a full URL (a Referer); what follows the token
# (a query, a closing quote, the protocol) is kept.
_TOKEN_PATH = re.compile(r"(/T/)[^/?#\s\"']+", re.IGNORECASE)
REDACTED = r"\1[token]"


def redact(text):
    if not isinstance(text, str):
        return text
    return _TOKEN_PATH.sub(REDACTED, text)


class TokenFreeLogger(Logger):
    """gunicorn's logger with every request-derived atom redacted."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) for key, value in atoms.items()}


class TokenFreeFilter(logging.Filter):
    """Redacts a record's message (werkzeug's ``"GET /T/… HTTP/1.1" 303 -``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
