"""The respondents' large-text mode (适老化): a link on every respondent page sets a cookie
that the pages read to set a larger type and 60-pixel tap targets. A plain link and a
redirect back, so it works without JavaScript."""

from __future__ import annotations

from flask import abort, redirect, request

from survey.responses.public import pages

COOKIE = "sv_text"
SIZES = ("normal", "large")
MAX_AGE = 365 * 24 * 3600


def _back_to(target: str | None) -> str:
    """Only a path on this site (never "//host" or a scheme): no open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@pages.respond.get("/text-size/<size>")
def text_size(size: str):
    if size not in SIZES:
        abort(404)
    response = redirect(_back_to(request.args.get("next")), 303)
    if size == "large":
        response.set_cookie(
            COOKIE,
            "large",
            max_age=MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    else:
        response.delete_cookie(COOKIE)
    return response
