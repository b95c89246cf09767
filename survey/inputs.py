"""What the app accepts from a request before any view reads it.

- Every submitted field and query parameter has its control characters dropped
  (``forms.clean_text``): one place for every text input, staff and respondents alike.
- ``<int:…>`` in a route matches only ids a table can hold (1 … 2^31 − 1): a larger number is
  a 404 like any other missing record, not a database overflow answered 500.
"""

from __future__ import annotations

from flask import Flask, Request
from werkzeug.routing import IntegerConverter

from survey.forms import clean_text
from survey.numbers import MAX_ID


def _cleaned(storage_class, pairs):
    return storage_class([(key, clean_text(value)) for key, value in pairs])


class CleanRequest(Request):
    """A request whose form fields and query parameters hold no control characters."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__["form"]
        self.__dict__["form"] = _cleaned(type(form), form.items(multi=True))

    @property
    def args(self):
        cached = self.__dict__.get("_clean_args")
        if cached is None:
            raw = super().args
            cached = self.__dict__["_clean_args"] = _cleaned(type(raw), raw.items(multi=True))
        return cached


class IdConverter(IntegerConverter):
    """``int`` in routes: a positive id no larger than an ``integer`` column holds."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Before any blueprint: rules bind their converters when they are added."""
    app.request_class = CleanRequest
    app.url_map.converters["int"] = IdConverter
