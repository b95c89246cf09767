"""Security headers on every response (ECOSYSTEM.md §1.4)."""

from __future__ import annotations

from flask import Flask, Response, current_app
from flask_login import current_user

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def set_security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # Staff pages: never no-referrer, Flask-WTF's strict HTTPS CSRF check needs the Referer.
    # The respondents' pages set no-referrer themselves (their CSRF check is the token's).
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    # HTTPS deployments only: HSTS on a plain-http demo would lock browsers out of it.
    if current_app.config["SESSION_COOKIE_SECURE"]:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    # Pages that forbid caching already (the respondents') need not load the staff user.
    if response.headers.get("Cache-Control") != "no-store" and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.after_request(set_security_headers)
