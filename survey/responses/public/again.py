"""Post/redirect/get for a page of answers that needs attention.

A failed submit is not answered with the form itself (the browser's Back would then ask to
"resubmit the form?" and, since the pages are ``no-store``, show ERR_CACHE_MISS in WeChat):
what was entered, the messages and the form's own hidden values are kept for one request in
the browser's signed session and the respondent is sent (303) to the same page, whose GET
shows them again. The session is a cookie: a page whose answers would not fit in it (long
comments) is rendered straight from the POST as before, so nothing entered is ever lost.
"""

from __future__ import annotations

import json

SESSION_KEY = "again"
# The cookie holds everything in the session; browsers keep 4,096 bytes a cookie. Chinese
# text is written as \\uXXXX escapes before compression, so keep a wide margin.
MAX_BYTES = 2400


def keep(browser_session, path: str, *, raw: dict, errors: dict, message: str | None, **extra):
    """Keep a page's answers for the next GET of ``path``; False when they are too large."""
    kept = {
        "path": path,
        "raw": raw,
        "errors": {key: str(value) for key, value in errors.items()},
        "message": str(message) if message else None,
        **extra,
    }
    if len(json.dumps(kept, separators=(",", ":"))) > MAX_BYTES:
        return False
    browser_session[SESSION_KEY] = kept
    return True


def take(browser_session, path: str) -> dict | None:
    """The answers kept for ``path`` (once), or None."""
    kept = browser_session.get(SESSION_KEY)
    if not kept:
        return None
    browser_session.pop(SESSION_KEY, None)
    if kept.get("path") != path:
        return None
    return kept
