"""The question-type registry (STYLE rule 9). Every consumer asks an item's type, never its
name: the schema (which keys a file may give, their checks, the parsed fields), the answering
page (the partial template that draws it), reading a posted answer, reading a cell of a paper
import, the export's cell, the results' figures and the demo's synthetic answers.

Adding a type is one class here (``@register``), its partial under
``templates/questionnaires/items/``, and its tests; nothing else names it.

Stored values (``Answer.value``) are text: see each type's ``read``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from survey.numbers import plain_int

DONT_KNOW_VALUE = "dk"
# The one separator of a multiple choice's stored codes.
MULTIPLE_SEPARATOR = ","
# C0 and C1 controls except the newline (a carriage return goes too: newlines are stored as \n).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
# Several options in one spreadsheet cell: either semicolon.
CELL_SEPARATORS = re.compile(r"[;；]")
DEFAULT_TEXT_LENGTH = 500
# The aspects a rating item measures, by dimension (SPEC §3).
ASPECTS = {
    "effectiveness": ("focus", "lists", "innovation", "hotspots", "clients"),
    "cooperation": ("coordination", "division", "workload", "internal"),
}


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


def _required(item, values: list[str]) -> list[str]:
    present = [value.strip() for value in values if value.strip()]
    if not present and item.required:
        raise AnswerError(_l("This question is required."))
    return present


def _positive_int(raw_item: dict, key: str) -> bool:
    value = raw_item.get(key)
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _check_options(raw_item: dict, where: str) -> list[str]:
    options = raw_item.get("options")
    if not isinstance(options, list):
        return [f"{where}: 'options' must list at least two options"]
    errors, codes = [], set()
    if len(options) < 2:
        errors.append(f"{where}: 'options' must list at least two options")
    for index, option in enumerate(options):
        spot = f"{where} option {index + 1}"
        if not isinstance(option, dict) or set(option) != {"code", "label"}:
            errors.append(f"{spot}: an option is exactly {{code, label}}")
            continue
        code = option["code"]
        if not isinstance(code, str) or not re.fullmatch(r"[a-z0-9_]{1,20}", code):
            errors.append(f"{spot}: code {code!r} must match [a-z0-9_]{{1,20}}")
        elif code in codes:
            errors.append(f"{spot}: duplicate code {code!r}")
        if isinstance(code, str):
            codes.add(code)
        if not isinstance(option["label"], str) or not option["label"].strip():
            errors.append(f"{spot}: label must be non-empty text")
    return errors


def _unknown_option(item, text: str) -> AnswerError:
    return AnswerError(_l("%(item)s: unknown option %(value)r.", item=item.id, value=text))


class _Choice(ItemType):
    has_figures = True
    template = "questionnaires/items/_choice.html"
    input_type = "radio"

    def check(self, raw_item, where):
        return _check_options(raw_item, where)

    def fields(self, raw_item, scale, where, errors):
        return {"options": tuple(Option(o["code"], o["label"]) for o in raw_item["options"])}

    def dump(self, item, default_scale):
        return {"options": [{"code": o.code, "label": o.label} for o in item.options]}

    def code_of(self, item, text: str) -> str | None:
        """The option a cell names, by code or label."""
        return next((o.code for o in item.options if text in {o.code, o.label}), None)

    def show(self, item, value):
        return item.label_of(value)

    def demo_answer(self, item, rng, respondent):
        if not item.options:
            return False, None
        if not item.required and rng.random() < 0.3:
            return False, None
        return True, rng.choice(item.options).code


@register
class Rating(ItemType):
    """A rating on the questionnaire's scale (or the item's own): stored "1".."points", and
    不了解 as NULL (missing data, never a low score)."""

    name = "rating"
    allowed_keys = frozenset({"dimension", "aspect", "scale"})
    default_required = True
    kind_label = "评分"
    has_figures = True
    has_mean = True

    def fields(self, raw_item, scale, where, errors):
        dimension, aspect = raw_item.get("dimension"), raw_item.get("aspect")
        if not isinstance(dimension, str) or dimension not in ASPECTS:
            errors.append(f"{where}: dimension must be effectiveness or cooperation")
        elif aspect not in ASPECTS[dimension]:
            errors.append(f"{where}: aspect of {dimension} must be one of {ASPECTS[dimension]}")
        if "scale" in raw_item:
            scale = parse_scale(raw_item["scale"], where, errors)
        return {"dimension": dimension, "aspect": aspect, "scale": scale}

    def dump(self, item, default_scale):
        data = {"dimension": item.dimension, "aspect": item.aspect}
        if item.scale != default_scale:
            data["scale"] = item.scale.to_dict()
        return data

    def read(self, item, values):
        present = _required(item, values)
        if not present:
            return ABSENT
        if len(set(present)) != 1:  # one radio group sends one value; more is tampering
            raise AnswerError(_l("Please choose one of the options."))
        value = present[0]
        if value == DONT_KNOW_VALUE:
            return None
        if (number := plain_int(value)) is not None and 1 <= number <= item.scale.points:
            return str(number)
        raise AnswerError(_l("Please choose one of the options."))

    def read_cell(self, item, text):
        scale = item.scale
        if text == scale.dont_know:
            return None
        number = plain_int(text)
        if number is not None and 1 <= number <= scale.points:
            return str(number)
        raise AnswerError(
            _l(
                "%(item)s: %(value)r is not a rating from 1 to %(points)d or %(dk)s.",
                item=item.id,
                value=text,
                points=scale.points,
                dk=scale.dont_know,
            )
        )

    def cell_hint(self, item):
        return f"1–{item.scale.points} 或 {item.scale.dont_know}"

    def export(self, item, value):
        if value is None:
            return item.scale.dont_know
        number = plain_int(value)
        return value if number is None else number

    def demo_answer(self, item, rng, respondent):
        if rng.random() < respondent.dont_know_rate:
            return True, None
        points = item.scale.points
        score = round(rng.gauss(respondent.quality * points / 5, 0.8))
        return True, str(min(points, max(1, score)))


@register
class SingleChoice(_Choice):
    """One option: stored as its code."""

    name = "single"
    allowed_keys = frozenset({"options"})
    kind_label = "单选"

    def read(self, item, values):
        present = _required(item, values)
        if not present:
            return ABSENT
        codes = {option.code for option in item.options}
        if len(set(present)) != 1 or present[0] not in codes:
            raise AnswerError(_l("Please choose one of the options."))
        return present[0]

    def read_cell(self, item, text):
        code = self.code_of(item, text)
        if code is None:
            raise _unknown_option(item, text)
        return code


@register
class MultipleChoice(_Choice):
    """Several options: stored as their codes in option order, joined by MULTIPLE_SEPARATOR."""

    name = "multiple"
    allowed_keys = frozenset({"options", "max_choices"})
    kind_label = "多选"
    has_figures = False
    input_type = "checkbox"

    def check(self, raw_item, where):
        errors = _check_options(raw_item, where)
        limit = raw_item.get("max_choices")
        if limit is not None and not _positive_int(raw_item, "max_choices"):
            errors.append(f"{where}: max_choices must be a positive integer")
        elif (
            limit is not None
            and isinstance(raw_item.get("options"), list)
            and limit > len(raw_item["options"])
        ):
            errors.append(f"{where}: max_choices must not exceed the number of options")
        return errors

    def fields(self, raw_item, scale, where, errors):
        options = super().fields(raw_item, scale, where, errors)
        return {**options, "max_choices": raw_item.get("max_choices")}

    def dump(self, item, default_scale):
        data = super().dump(item, default_scale)
        if item.max_choices is not None:
            data["max_choices"] = item.max_choices
        return data

    def read(self, item, values):
        present = _required(item, values)
        if not present:
            return ABSENT
        order = [option.code for option in item.options]
        if any(value not in order for value in present):
            raise AnswerError(_l("Please choose among the options shown."))
        chosen = set(present)
        if item.max_choices and len(chosen) > item.max_choices:
            raise AnswerError(_l("Choose at most %(num)d options.", num=item.max_choices))
        return MULTIPLE_SEPARATOR.join(code for code in order if code in chosen)

    def read_cell(self, item, text):
        codes = []
        for part in CELL_SEPARATORS.split(text):
            part = part.strip()
            if not part:
                continue
            code = self.code_of(item, part)
            if code is None:
                raise _unknown_option(item, part)
            if code not in codes:
                codes.append(code)
        if item.max_choices and len(codes) > item.max_choices:
            raise AnswerError(
                _l("%(item)s: at most %(n)d options.", item=item.id, n=item.max_choices)
            )
        # A cell of separators only names no option: the item stays unanswered.
        return MULTIPLE_SEPARATOR.join(codes) if codes else ABSENT

    def show(self, item, value):
        return "；".join(item.label_of(code) for code in split_multiple(value))

    def demo_answer(self, item, rng, respondent):
        if not item.options:
            return False, None
        if not item.required and rng.random() < 0.4:
            return False, None
        count = rng.randint(1, min(2, len(item.options)))
        return True, MULTIPLE_SEPARATOR.join(o.code for o in rng.sample(item.options, count))


def _clean_text(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text).replace("\r", "").strip()


@register
class OpenText(ItemType):
    """Free text: stored trimmed, control characters removed, newlines as \\n."""

    name = "text"
    allowed_keys = frozenset({"max_length"})
    kind_label = "文字"

    def check(self, raw_item, where):
        limit = raw_item.get("max_length", DEFAULT_TEXT_LENGTH)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 2000:
            return [f"{where}: max_length must be an integer from 1 to 2000"]
        return []

    def fields(self, raw_item, scale, where, errors):
        return {"max_length": raw_item.get("max_length", DEFAULT_TEXT_LENGTH)}

    def dump(self, item, default_scale):
        return {"max_length": item.max_length}

    def read(self, item, values):
        text = _clean_text(values[0] if values else "")
        if not text:
            if item.required:
                raise AnswerError(_l("This question is required."))
            return ABSENT
        if len(text) > item.max_length:
            raise AnswerError(
                _l("Please keep this to %(num)d characters or fewer.", num=item.max_length)
            )
        return text

    def read_cell(self, item, text):
        text = CONTROL_CHARACTERS.sub("", text).strip()  # as a typed answer is cleaned
        if len(text) > item.max_length:
            raise AnswerError(
                _l(
                    "%(item)s: the text is longer than %(n)d characters.",
                    item=item.id,
                    n=item.max_length,
                )
            )
        return text

    def cell_hint(self, item):
        return ""

    def demo_answer(self, item, rng, respondent):
        if item.required or rng.random() < 0.12:
            return True, rng.choice(respondent.comments)[: item.max_length]
        return False, None


@register
class Score(ItemType):
    """A score from 0 to 10 ("how likely are you to recommend …"), with optional words at the
    two ends (``low``, ``high``): stored "0".."10". It is no rating: it belongs to no
    dimension and the scores never read it."""

    name = "score"
    allowed_keys = frozenset({"low", "high"})
    kind_label = "0–10 分"
    has_figures = True
    has_mean = True
    points = range(11)

    def check(self, raw_item, where):
        return [
            f"{where}: {key!r} must be non-empty text"
            for key in ("low", "high")
            if key in raw_item and (not isinstance(raw_item[key], str) or not raw_item[key].strip())
        ]

    def fields(self, raw_item, scale, where, errors):
        ends = ("low", "high")
        return {"settings": {key: raw_item[key].strip() for key in ends if key in raw_item}}

    def dump(self, item, default_scale):
        return dict(item.settings)

    def _number(self, text: str) -> str | None:
        number = plain_int(text)
        return str(number) if number is not None and number in self.points else None

    def read(self, item, values):
        present = _required(item, values)
        if not present:
            return ABSENT
        if len(set(present)) != 1 or (value := self._number(present[0])) is None:
            raise AnswerError(_l("Please choose a score from 0 to 10."))
        return value

    def read_cell(self, item, text):
        if (value := self._number(text)) is None:
            raise AnswerError(
                _l("%(item)s: %(value)r is not a score from 0 to 10.", item=item.id, value=text)
            )
        return value

    def cell_hint(self, item):
        return "0–10"

    def export(self, item, value):
        return "" if value is None else int(value)

    def demo_answer(self, item, rng, respondent):
        if not item.required and rng.random() < 0.3:
            return False, None
        score = round(rng.gauss(respondent.quality * 2, 1.5))
        return True, str(min(10, max(0, score)))
