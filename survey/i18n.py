"""Locale and time zone. Simplified Chinese by default; strings go through gettext."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request

from survey.extensions import babel

SUPPORTED_LOCALES = ("zh_Hans_CN", "en")
TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    # Chinese unless the browser asks for English first; staff work in Chinese.
    if not has_request_context():  # CLI and services outside a request
        return "zh_Hans_CN"
    best = request.accept_languages.best_match(["zh", "en"], default="zh")
    return "en" if best == "en" else "zh_Hans_CN"


def init_app(app: Flask) -> None:
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    babel.init_app(app, locale_selector=select_locale)
