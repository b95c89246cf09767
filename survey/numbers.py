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
