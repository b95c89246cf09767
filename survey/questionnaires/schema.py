"""The one schema of questionnaire files (questionnaires/FORMAT.md): parsing a definition
into frozen dataclasses, reporting every problem at once, and reading a submitted form
against it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from survey.questionnaires.itemtypes import ABSENT, ITEM_TYPES, AnswerError

GROUPS = ("public", "deputy", "grassroots", "peer")
ASPECTS = {
    "effectiveness": ("focus", "lists", "innovation", "hotspots", "clients"),
    "cooperation": ("coordination", "division", "workload", "internal"),
}
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


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    text: str
    help: str = ""
    required: bool = False
    dimension: str | None = None
    aspect: str | None = None
    options: tuple[Option, ...] = ()
    max_choices: int | None = None
    max_length: int = 500
    scale: Scale | None = None

    @property
    def item_type(self):
        return ITEM_TYPES[self.type]

    def to_dict(self, default_scale: Scale) -> dict:
        data = {"id": self.id, "type": self.type, "text": self.text, "required": self.required}
        if self.help:
            data["help"] = self.help
        if self.type == "rating":
            data.update(dimension=self.dimension, aspect=self.aspect)
            if self.scale != default_scale:
                data["scale"] = self.scale.to_dict()
        if self.options:
            data["options"] = [{"code": o.code, "label": o.label} for o in self.options]
        if self.max_choices is not None:
            data["max_choices"] = self.max_choices
        if self.type == "text":
            data["max_length"] = self.max_length
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

    @property
    def rating_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.type == "rating")

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


def _scale(data, where: str, errors: list[str]) -> Scale | None:
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
    required = raw.get("required", item_type.name == "rating")
    if not isinstance(required, bool):
        errors.append(f"{spot}: required must be true or false")
    dimension = aspect = None
    item_scale = scale
    if item_type.name == "rating":
        dimension, aspect = raw.get("dimension"), raw.get("aspect")
        if not isinstance(dimension, str) or dimension not in ASPECTS:
            errors.append(f"{spot}: dimension must be effectiveness or cooperation")
        elif aspect not in ASPECTS[dimension]:
            errors.append(f"{spot}: aspect of {dimension} must be one of {ASPECTS[dimension]}")
        if "scale" in raw:
            item_scale = _scale(raw["scale"], spot, errors)
    if len(errors) > before:
        return None
    return Item(
        id=item_id,
        type=item_type.name,
        text=text,
        help=help_text,
        required=required,
        dimension=dimension,
        aspect=aspect,
        options=tuple(Option(o["code"], o["label"]) for o in raw.get("options", ())),
        max_choices=raw.get("max_choices"),
        max_length=raw.get("max_length", 500),
        scale=item_scale,
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
    scale = _scale(data.get("scale"), where, errors) if "scale" in data else None
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
