"""The question-type registry's base (STYLE rule 9): what every type answers, the values its
items hold, and the helpers the types share. The types themselves are the other modules of
this package, one per type family; each registers itself with ``@register``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

DONT_KNOW_VALUE = "dk"
# The one separator of a multiple choice's stored codes.
MULTIPLE_SEPARATOR = ","
# C0 and C1 controls except the newline (a carriage return goes too: newlines are stored as \n).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# Several options in one spreadsheet cell: either semicolon.
CELL_SEPARATORS = re.compile(r"[;；]")
DEFAULT_TEXT_LENGTH = 500


class AnswerError(Exception):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class _Absent:
    """An unanswered optional item: not stored at all."""


ABSENT = _Absent()


@dataclass(frozen=True)
class Option:
    code: str
    label: str


@dataclass(frozen=True)
class Scale:
    points: int
    labels: tuple[str, ...]
    dont_know: str

    def to_dict(self) -> dict:
        return {"points": self.points, "labels": list(self.labels), "dont_know": self.dont_know}


def parse_scale(data, where: str, errors: list[str]) -> Scale | None:
    """A rating scale (the questionnaire's, or an item's own), or None with the problem."""
    if not isinstance(data, dict) or set(data) != {"points", "labels", "dont_know"}:
        errors.append(f"{where}: scale is exactly {{points, labels, dont_know}}")
        return None
    points, labels = data["points"], data["labels"]
    if not isinstance(points, int) or isinstance(points, bool) or not 2 <= points <= 11:
        errors.append(f"{where}: scale points must be an integer from 2 to 11")
        return None
    if (
        not isinstance(labels, list)
        or len(labels) != points
        or not all(isinstance(label, str) and label.strip() for label in labels)
    ):
        errors.append(f"{where}: scale needs exactly {points} non-empty labels, low to high")
        return None
    if not isinstance(data["dont_know"], str) or not data["dont_know"].strip():
        errors.append(f"{where}: scale dont_know must be non-empty text")
        return None
    return Scale(points, tuple(labels), data["dont_know"])


@dataclass(frozen=True)
class DemoRespondent:
    """What the demo's synthetic answers depend on: how good the rated agency is (a mean
    rating on a 1–5 scale), how often a rating is 不了解, and the comments to pick from."""

    quality: float
    dont_know_rate: float
    comments: tuple[str, ...]


ITEM_TYPES: dict[str, ItemType] = {}


def register(cls):
    ITEM_TYPES[cls.name] = cls()
    return cls


def split_multiple(value: str) -> list[str]:
    return [part for part in value.split(MULTIPLE_SEPARATOR) if part]


class ItemType:
    """A question type. ``item`` below is always a ``schema.Item`` (the one item model)."""

    name = ""
    allowed_keys: frozenset[str] = frozenset()
    default_required = False
    kind_label = ""  # the type in the paper-import template's help sheet (Chinese)
    has_figures = False  # shown in the results' item figures
    has_mean = False  # the figures show the mean of the stored numbers
    scored = False  # a rating the scores read (by dimension and aspect)

    @property
    def template(self) -> str:
        """The partial that draws the item's answer field on the answering page."""
        return f"questionnaires/items/_{self.name}.html"

    def check(self, raw_item: dict, where: str) -> list[str]:
        """Problems of the type's own keys in a questionnaire file."""
        return []

    def fields(self, raw_item: dict, scale: Scale | None, where: str, errors: list) -> dict:
        """The ``schema.Item`` fields this type reads from a (checked) file item."""
        return {}

    def dump(self, item, default_scale: Scale) -> dict:
        """The type's own keys, back as a questionnaire file gives them."""
        return {}

    def read(self, item, values: list[str]) -> str | None | _Absent:
        """A posted answer (the form's values for the item) as stored, or AnswerError."""
        raise NotImplementedError

    def read_cell(self, item, text: str) -> str | None | _Absent:
        """A non-empty cell of a paper import as stored, or AnswerError (the message names
        the item)."""
        raise NotImplementedError

    def cell_hint(self, item) -> str:
        """What a cell may hold, for the import template's help sheet."""
        return "；".join(f"{option.code} = {option.label}" for option in item.options)

    def show(self, item, value: str) -> str:
        """A stored (non-missing) value as people read it."""
        return value

    def export(self, item, value: str | None) -> Any:
        """The export's cell of an answered item."""
        return "" if value is None else self.show(item, value)

    def demo_answer(self, item, rng, respondent: DemoRespondent) -> tuple[bool, Any]:
        """(answered, stored value) of a synthetic respondent."""
        return False, None


def present_values(item, values: list[str]) -> list[str]:
    """The non-blank posted values; AnswerError when there are none and the item is required."""
    present = [value.strip() for value in values if value.strip()]
    if not present and item.required:
        raise AnswerError(_l("This question is required."))
    return present


def is_positive_int(raw_item: dict, key: str) -> bool:
    """Whether a file item's ``key`` is an integer of 1 or more (YAML's true is no integer)."""
    value = raw_item.get(key)
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1
