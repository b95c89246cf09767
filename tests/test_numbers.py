"""Whole numbers from typed or posted text: ASCII digits only."""

from __future__ import annotations

import pytest

from survey.numbers import plain_int


@pytest.mark.parametrize(
    ("text", "number"), [("0", 0), ("7", 7), ("042", 42), ("999999999", 999999999)]
)
def test_ascii_digits_are_read(text, number):
    assert plain_int(text) == number


@pytest.mark.parametrize(
    "text", ["", " 1", "1 ", "-1", "+1", "1.0", "²", "٣", "４", "1_0", "1234567890"]
)
def test_anything_else_is_none(text):
    assert plain_int(text) is None
