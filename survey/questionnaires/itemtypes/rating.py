"""The rating: the items the scores read, on the questionnaire's scale."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.numbers import plain_int
from survey.questionnaires.itemtypes.base import (
    ABSENT,
    DONT_KNOW_VALUE,
    AnswerError,
    ItemType,
    parse_scale,
    present_values,
    register,
)

# The aspects a rating item measures, by dimension (SPEC §3).
ASPECTS = {
    "effectiveness": ("focus", "lists", "innovation", "hotspots", "clients"),
    "cooperation": ("coordination", "division", "workload", "internal"),
}


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
    scored = True

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
        present = present_values(item, values)
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
