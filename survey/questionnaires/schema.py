"""The one schema of questionnaire files (questionnaires/FORMAT.md): parsing a definition
into frozen dataclasses, reporting every problem at once, and reading a submitted form
against it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from survey.questionnaires.itemtypes import (
    ABSENT,
    ASPECTS,
    DEFAULT_TEXT_LENGTH,
    ITEM_TYPES,
    AnswerError,
    Option,
    Scale,
    parse_scale,
)

__all__ = ["ASPECTS", "Option", "Scale"]  # with the names defined below

GROUPS = ("public", "deputy", "grassroots", "peer")
TOP_KEYS = {"slug", "version", "group", "title", "intro", "closing", "scale", "items"}
ITEM_KEYS = {"id", "type", "text", "help", "required"}
ITEM_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
SLUG = re.compile(r"[a-z][a-z0-9-]{0,39}")  # questionnaires.slug is String(40)
# Form names the answering pages keep for themselves (ids cannot start with "_" anyway).
RESERVED_IDS = frozenset({"csrf_token"})
TITLE_LENGTH = 200  # questionnaire_versions.title


class DefinitionError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Item:
    """One question: the one item model that the answering pages, the import, the export,
    the results and the demo read. What its type means is asked of ``item_type``."""

    id: str
    type: str
    text: str
    help: str = ""
    required: bool = False
    dimension: str | None = None
    aspect: str | None = None
    options: tuple[Option, ...] = ()
    max_choices: int | None = None
    max_length: int = DEFAULT_TEXT_LENGTH
    scale: Scale | None = None
    # A type's own settings that no field above holds (e.g. a score's end labels).
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def item_type(self):
        return ITEM_TYPES[self.type]

    def label_of(self, code: str) -> str:
        """An option's label; the code itself if the item has no such option."""
        return next((option.label for option in self.options if option.code == code), code)

    def show(self, value: str) -> str:
        """A stored (non-missing) value as people read it: option labels for choices."""
        return self.item_type.show(self, value)

    def to_dict(self, default_scale: Scale) -> dict:
        data = {"id": self.id, "type": self.type, "text": self.text, "required": self.required}
        if self.help:
            data["help"] = self.help
        data.update(self.item_type.dump(self, default_scale))
        return data


@dataclass(frozen=True)
class Definition:
    slug: str
    version: int
    group: str
    title: str
    intro: str
    closing: str
    scale: Scale
    items: tuple[Item, ...]

    def item(self, item_id: str) -> Item:
        """The item with this id; KeyError if there is none."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def find(self, item_id: str) -> Item | None:
        """The item with this id, or None."""
        return next((item for item in self.items if item.id == item_id), None)

    @property
    def rating_items(self) -> tuple[Item, ...]:
        """The items the scores read (``ItemType.scored``)."""
        return tuple(item for item in self.items if item.item_type.scored)

    @property
    def dont_know(self) -> str:
        """The questionnaire's words for 不了解."""
        return self.scale.dont_know

    def to_dict(self) -> dict:
        return {
            "slug": self.slug,
            "version": self.version,
            "group": self.group,
            "title": self.title,
            "intro": self.intro,
            "closing": self.closing,
            "scale": self.scale.to_dict(),
            "items": [item.to_dict(self.scale) for item in self.items],
        }


def _text(data: dict, key: str, where: str, errors: list[str], required: bool = True) -> str:
    value = data.get(key, "" if not required else None)
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(f"{where}: {key!r} must be non-empty text")
        return ""
    return value.strip()


def _item(raw, index: int, scale: Scale | None, where: str, errors: list[str]) -> Item | None:
    spot = f"{where} item {index + 1}"
    if not isinstance(raw, dict):
        errors.append(f"{spot}: an item is a mapping")
        return None
    item_id = raw.get("id")
    if not isinstance(item_id, str) or not ITEM_ID.fullmatch(item_id) or item_id in RESERVED_IDS:
        errors.append(
            f"{spot}: id {item_id!r} must match [A-Za-z][A-Za-z0-9_]{{0,31}} "
            f"and not be {', '.join(sorted(RESERVED_IDS))}"
        )
        item_id = None
    else:
        spot = f"{where} item {item_id}"
    item_type = ITEM_TYPES.get(raw.get("type")) if isinstance(raw.get("type"), str) else None
    if item_type is None:
        errors.append(f"{spot}: type must be one of {', '.join(sorted(ITEM_TYPES))}")
    if item_id is None or item_type is None:
        return None
    unknown = set(raw) - ITEM_KEYS - item_type.allowed_keys
    if unknown:
        errors.append(f"{spot}: unknown keys {sorted(map(str, unknown))}")
    before = len(errors)
    errors.extend(item_type.check(raw, spot))
    text = _text(raw, "text", spot, errors)
    help_text = _text(raw, "help", spot, errors, required=False)
    required = raw.get("required", item_type.default_required)
    if not isinstance(required, bool):
        errors.append(f"{spot}: required must be true or false")
    if len(errors) > before:
        return None
    fields = item_type.fields(raw, scale, spot, errors)
    if len(errors) > before:
        return None
    return Item(
        id=item_id,
        type=item_type.name,
        text=text,
        help=help_text,
        required=required,
        # Every item carries the questionnaire's scale unless its type sets its own.
        **{"scale": scale, **fields},
    )


def parse_definition(data, where: str = "<definition>") -> Definition:
    """The definition in ``data`` (a questionnaire file as loaded), or DefinitionError
    listing every problem found."""
    if not isinstance(data, dict):
        raise DefinitionError([f"{where}: a questionnaire is a mapping"])
    errors: list[str] = []
    unknown = set(data) - TOP_KEYS
    if unknown:
        errors.append(f"{where}: unknown keys {sorted(map(str, unknown))}")
    missing = {"slug", "version", "group", "title", "scale", "items"} - set(data)
    if missing:
        errors.append(f"{where}: missing keys {sorted(missing)}")
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        errors.append(f"{where}: slug must match [a-z][a-z0-9-]* (at most 40 characters)")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        errors.append(f"{where}: version must be a positive integer")
    if data.get("group") not in GROUPS:
        errors.append(f"{where}: group must be one of {', '.join(GROUPS)}")
    title = _text(data, "title", where, errors)
    if len(title) > TITLE_LENGTH:
        errors.append(f"{where}: title must be at most {TITLE_LENGTH} characters")
    intro = _text(data, "intro", where, errors, required=False)
    closing = _text(data, "closing", where, errors, required=False)
    scale = parse_scale(data.get("scale"), where, errors) if "scale" in data else None
    raw_items = data.get("items")
    items: list[Item] = []
    if not isinstance(raw_items, list) or not raw_items:
        errors.append(f"{where}: items must be a non-empty list")
        raw_items = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_items):
        item_id = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(item_id, str) and item_id in seen:
            errors.append(f"{where}: duplicate item id {item_id!r}")
        if isinstance(item_id, str):
            seen.add(item_id)
        item = _item(raw, index, scale, where, errors)
        if item is not None:
            items.append(item)
    if errors:
        raise DefinitionError(errors)
    return Definition(
        slug=slug,
        version=version,
        group=data["group"],
        title=title,
        intro=intro,
        closing=closing,
        scale=scale,
        items=tuple(items),
    )


@dataclass
class AnswerSet:
    stored: dict[str, str | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    raw: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_answers(definition: Definition, form) -> AnswerSet:
    """Read every item of ``definition`` from ``form`` (a MultiDict): the values to store,
    a Chinese message per item that cannot be accepted, and what was submitted."""
    answers = AnswerSet()
    for item in definition.items:
        values = [value for value in form.getlist(item.id) if isinstance(value, str)]
        if values:
            answers.raw[item.id] = values
        try:
            value = item.item_type.read(item, values)
        except AnswerError as error:
            answers.errors[item.id] = str(error.message)
            continue
        if value is not ABSENT:
            answers.stored[item.id] = value
    return answers
