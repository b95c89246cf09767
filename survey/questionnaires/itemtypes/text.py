"""Free text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.questionnaires.itemtypes.base import (
    ABSENT,
    CONTROL_CHARACTERS,
    DEFAULT_TEXT_LENGTH,
    AnswerError,
    ItemType,
    register,
)


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
