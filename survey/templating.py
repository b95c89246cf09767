"""Template globals and filters."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import format_datetime, get_locale
from markupsafe import Markup, escape

MISSING = Markup('<span class="muted">—</span>')


def num(value: float | None, places: int = 1) -> Markup:
    """A figure with ``places`` decimals, or a muted dash when there is none. A function,
    not a macro: a run's pages show a thousand of them, and a Jinja macro call costs about
    ten times as much."""
    if value is None:
        return MISSING
    return escape("%.*f" % (places, value))  # noqa: UP031


def local_datetime(value: dt.datetime | None) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["num"] = num
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
