"""Template globals and filters."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import format_datetime, get_locale


def local_datetime(value: dt.datetime | None) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def init_app(app: Flask) -> None:
    app.jinja_env.filters["datetime"] = local_datetime
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
