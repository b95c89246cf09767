"""The items of a campaign's questionnaire version as the results, the export and the import
read them: straight from the stored definition (a version never changes), never from the data.

Stored values (``Answer.value``): a rating is its number as text ("1".."N") and 不了解 is NULL;
a single choice is the option code; a multiple choice is its option codes joined by ","; a text
item is the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from survey.questionnaires.schema import parse_definition

DONT_KNOW = "不了解"
MULTIPLE_SEPARATOR = ","
DEFAULT_TEXT_LENGTH = 500


@dataclass(frozen=True)
class Item:
    id: str
    type: str  # rating | single | multiple | text
    text: str
    required: bool
    options: tuple[tuple[str, str], ...] = ()  # (code, label)
    max_length: int = DEFAULT_TEXT_LENGTH
    max_choices: int | None = None
    labels: dict[str, str] = field(default_factory=dict, compare=False)

    def label_of(self, code: str) -> str:
        return self.labels.get(code, code)

    def show(self, value: str) -> str:
        """A stored (non-missing) value as people read it: option labels for choices."""
        if self.type == "single":
            return self.label_of(value)
        if self.type == "multiple":
            return "；".join(self.label_of(code) for code in split_multiple(value))
        return value


@dataclass(frozen=True)
class Layout:
    items: tuple[Item, ...]
    points: int
    dont_know: str

    @property
    def rating_items(self) -> list[Item]:
        return [item for item in self.items if item.type == "rating"]

    def item(self, item_id: str) -> Item | None:
        return next((item for item in self.items if item.id == item_id), None)


def layout_of(definition: dict) -> Layout:
    """The stored definition as results, exports and imports read it, parsed by the one
    questionnaire schema (survey/questionnaires/schema.py)."""
    parsed = parse_definition(definition)
    items = tuple(
        Item(
            id=item.id,
            type=item.type,
            text=item.text,
            required=item.required,
            options=tuple((option.code, option.label) for option in item.options),
            max_length=item.max_length,
            max_choices=item.max_choices,
            labels={option.code: option.label for option in item.options},
        )
        for item in parsed.items
    )
    return Layout(items=items, points=parsed.scale.points, dont_know=parsed.scale.dont_know)


def split_multiple(value: str) -> list[str]:
    return [part for part in value.split(MULTIPLE_SEPARATOR) if part]
