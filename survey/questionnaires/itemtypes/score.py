"""The 0–10 score, added through the registry alone (this module, its partial
``templates/questionnaires/items/_score.html`` and tests/questionnaires/test_score_type.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.numbers import plain_int
from survey.questionnaires.itemtypes.base import (
    ABSENT,
    AnswerError,
    ItemType,
    present_values,
    register,
)


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
        present = present_values(item, values)
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
