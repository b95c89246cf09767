"""The question-type registry (STYLE rule 9): each type checks its part of a questionnaire
file and turns submitted form values into the stored value, with a Chinese message when the
answer cannot be accepted."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from survey.numbers import plain_int

DONT_KNOW_VALUE = "dk"
MULTIPLE_SEPARATOR = ","
# C0 and C1 controls except the newline (a carriage return goes too: newlines are stored as \n).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


class AnswerError(Exception):
    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


ITEM_TYPES: dict[str, ItemType] = {}


def register(cls):
    ITEM_TYPES[cls.name] = cls()
    return cls


class ItemType:
    name = ""
    allowed_keys: frozenset[str] = frozenset()

    def check(self, raw_item: dict, where: str) -> list[str]:
        return []

    def read(self, item, values: list[str]) -> str | None:
        raise NotImplementedError


def _required(item, values: list[str]) -> list[str]:
    present = [value.strip() for value in values if value.strip()]
    if not present and item.required:
        raise AnswerError(_l("This question is required."))
    return present


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


@register
class Rating(ItemType):
    name = "rating"
    allowed_keys = frozenset({"dimension", "aspect", "scale"})

    def read(self, item, values):
        present = _required(item, values)
        if not present:
            return _absent()
        if len(set(present)) != 1:  # one radio group sends one value; more is tampering
            raise AnswerError(_l("Please choose one of the options."))
        value = present[0]
        if value == DONT_KNOW_VALUE:
            return None
        if (number := plain_int(value)) is not None and 1 <= number <= item.scale.points:
            return str(number)
        raise AnswerError(_l("Please choose one of the options."))


@register
class SingleChoice(ItemType):
    name = "single"
    allowed_keys = frozenset({"options"})

    def check(self, raw_item, where):
        return _check_options(raw_item, where)

    def read(self, item, values):
        present = _required(item, values)
        if not present:
            return _absent()
        codes = {option.code for option in item.options}
        if len(set(present)) != 1 or present[0] not in codes:
            raise AnswerError(_l("Please choose one of the options."))
        return present[0]


@register
class MultipleChoice(ItemType):
    name = "multiple"
    allowed_keys = frozenset({"options", "max_choices"})

    def check(self, raw_item, where):
        errors = _check_options(raw_item, where)
        limit = raw_item.get("max_choices")
        if limit is not None and (
            not isinstance(limit, int) or isinstance(limit, bool) or limit < 1
        ):
            errors.append(f"{where}: max_choices must be a positive integer")
        elif (
            limit is not None
            and isinstance(raw_item.get("options"), list)
            and limit > len(raw_item["options"])
        ):
            errors.append(f"{where}: max_choices must not exceed the number of options")
        return errors

    def read(self, item, values):
        present = _required(item, values)
        if not present:
            return _absent()
        order = [option.code for option in item.options]
        if any(value not in order for value in present):
            raise AnswerError(_l("Please choose among the options shown."))
        chosen = set(present)
        if item.max_choices and len(chosen) > item.max_choices:
            raise AnswerError(_l("Choose at most %(num)d options.", num=item.max_choices))
        return MULTIPLE_SEPARATOR.join(code for code in order if code in chosen)


@register
class OpenText(ItemType):
    name = "text"
    allowed_keys = frozenset({"max_length"})

    def check(self, raw_item, where):
        limit = raw_item.get("max_length", 500)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 2000:
            return [f"{where}: max_length must be an integer from 1 to 2000"]
        return []

    def read(self, item, values):
        text = CONTROL_CHARACTERS.sub("", values[0] if values else "").replace("\r", "").strip()
        if not text:
            if item.required:
                raise AnswerError(_l("This question is required."))
            return _absent()
        if len(text) > item.max_length:
            raise AnswerError(
                _l("Please keep this to %(num)d characters or fewer.", num=item.max_length)
            )
        return text


class _Absent:
    """An unanswered optional item: not stored at all."""


ABSENT = _Absent()


def _absent():
    return ABSENT
