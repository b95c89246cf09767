"""Choices: one option (``single``) or several (``multiple``)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from survey.questionnaires.itemtypes.base import (
    ABSENT,
    CELL_SEPARATORS,
    MULTIPLE_SEPARATOR,
    AnswerError,
    ItemType,
    Option,
    is_positive_int,
    present_values,
    register,
    split_multiple,
)


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
class SingleChoice(_Choice):
    """One option: stored as its code."""

    name = "single"
    allowed_keys = frozenset({"options"})
    kind_label = "单选"

    def read(self, item, values):
        present = present_values(item, values)
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
        if limit is not None and not is_positive_int(raw_item, "max_choices"):
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
        present = present_values(item, values)
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
