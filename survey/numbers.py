"""Reading whole numbers typed by people or sent by forms.

``str.isdigit()`` also accepts "²" or "٣", which ``int()`` refuses or misreads; every place that
turns text into a count or a rating goes through here instead."""

from __future__ import annotations

import re

_PLAIN_DIGITS = re.compile(r"[0-9]{1,9}")


def plain_int(text: str) -> int | None:
    """The number written in ASCII digits (at most nine), or None for anything else."""
    if text and _PLAIN_DIGITS.fullmatch(text):
        return int(text)
    return None


#: The largest id any table holds: PostgreSQL's ``integer`` (SQLite's rowid goes to 2^63, but
#: every id column is declared ``Integer``, so both databases share the smaller bound).
MAX_ID = 2**31 - 1


def record_id(text) -> int:
    """``type=`` for an id read from a query string or form: a ValueError (so ``args.get``
    gives its default) for anything that is not a plain id a table could hold."""
    number = int(str(text), 10) if str(text).isascii() and str(text).isdigit() else None
    if number is None or not 1 <= number <= MAX_ID:
        raise ValueError(f"not a record id: {text!r}")
    return number
