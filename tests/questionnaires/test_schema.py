"""The questionnaire schema: the shipped files, and every kind of bad definition."""

from __future__ import annotations

import pytest
import yaml

from survey import resource_dir
from survey.questionnaires.itemtypes import ITEM_TYPES
from survey.questionnaires.schema import ASPECTS, DefinitionError, parse_definition
from tests.questionnaires.samples import definition

SHIPPED = sorted(resource_dir("questionnaires").glob("*/v*.yaml"))
HAN = "\u4e00-\u9fff"


def shipped(path):
    return parse_definition(yaml.safe_load(path.read_text(encoding="utf-8")), where=path.name)


def test_four_standard_questionnaires_ship_one_per_group():
    found = {(path.parent.name, shipped(path).group) for path in SHIPPED}
    assert found == {
        ("public", "public"),
        ("deputy", "deputy"),
        ("grassroots", "grassroots"),
        ("peer", "peer"),
    }


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_shipped_questionnaire_parses_round_trips_and_stays_short(path):
    parsed = shipped(path)
    assert (parsed.slug, f"v{parsed.version}.yaml") == (path.parent.name, path.name)
    assert parse_definition(parsed.to_dict()) == parsed
    assert 8 <= len(parsed.rating_items) <= 14
    assert {item.dimension for item in parsed.rating_items} == {"effectiveness", "cooperation"}
    choices = [item for item in parsed.items if item.type in ("single", "multiple")]
    texts = [item for item in parsed.items if item.type == "text"]
    assert 1 <= len(choices) <= 2 and len(texts) == 1
    assert all(item.text and not item.text.isascii() for item in parsed.items)
    assert parsed.scale.dont_know == "不了解"


def test_each_group_leans_on_its_dimension():
    by_group = {shipped(path).group: shipped(path).rating_items for path in SHIPPED}

    def share(group, dimension):
        items = by_group[group]
        return sum(item.dimension == dimension for item in items) / len(items)

    assert share("public", "effectiveness") > 0.6
    assert share("peer", "cooperation") > 0.6
    assert {item.aspect for item in by_group["public"]} >= {"clients", "hotspots"}
    assert {item.aspect for item in by_group["deputy"]} == set(sum(ASPECTS.values(), ()))


def test_the_registry_holds_the_five_types():
    assert set(ITEM_TYPES) == {"rating", "single", "multiple", "text", "score"}
    assert all(item_type.name == name for name, item_type in ITEM_TYPES.items())


def test_the_sample_parses_with_defaults_and_overrides():
    parsed = parse_definition(definition())
    assert [item.id for item in parsed.items] == ["E1", "C1", "contact", "problems", "comment"]
    e1, c1 = parsed.item("E1"), parsed.item("C1")
    assert e1.required and not c1.required  # ratings default to required
    assert e1.scale == parsed.scale and c1.scale.points == 3 and c1.scale.dont_know == "说不清"
    assert not parsed.item("contact").required  # other types default to optional
    assert parsed.item("problems").max_choices == 2
    assert parsed.item("comment").max_length == 20
    assert [item.id for item in parsed.rating_items] == ["E1", "C1"]
    assert parse_definition(parsed.to_dict()) == parsed
    with pytest.raises(KeyError):
        parsed.item("E9")


def test_a_text_item_without_a_limit_gets_500():
    data = definition()
    del data["items"][4]["max_length"]
    assert parse_definition(data).item("comment").max_length == 500


def test_definitions_are_frozen():
    parsed = parse_definition(definition())
    with pytest.raises(AttributeError):
        parsed.title = "改过"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        parsed.items[0].required = False  # type: ignore[misc]


def broken(change) -> list[str]:
    data = definition()
    change(data)
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, where="t.yaml")
    assert all(error.startswith("t.yaml") for error in caught.value.errors)
    return caught.value.errors


def test_every_problem_is_reported_at_once():
    def many(data):
        data["colour"] = "red"
        data["group"] = "aliens"
        data["items"][0]["dimension"] = "speed"
        data["items"][1]["id"] = "E1"
        data["items"][2]["options"] = [{"code": "Bad Code", "label": ""}, {"code": "b"}]
        data["items"][3]["type"] = "slider"
        data["items"][4]["max_length"] = 0

    errors = broken(many)
    assert len(errors) >= 8
    text = "\n".join(errors)
    for fragment in (
        "colour",
        "group",
        "dimension",
        "duplicate item id 'E1'",
        "'Bad Code'",
        "label",
        "exactly {code, label}",
        "type must be one of",
        "max_length",
    ):
        assert fragment in text


def options(code, label, second="b") -> list:
    return [{"code": code, "label": label}, {"code": second, "label": "乙"}]


def set_item(index, **changes):
    return lambda data: data["items"][index].update(changes)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        # the top level
        (lambda d: d.update(items=[]), "items must be a non-empty list"),
        (lambda d: d.update(items={"E1": {}}), "items must be a non-empty list"),
        (lambda d: d.pop("title"), "missing keys ['title']"),
        (lambda d: d.update(title="   "), "'title' must be non-empty text"),
        (lambda d: d.update(title="长" * 201), "at most 200"),
        (lambda d: d.update(intro=["一段"]), "'intro' must be non-empty text"),
        (lambda d: d.update(version=0), "version"),
        (lambda d: d.update(version="1"), "version"),
        (lambda d: d.update(version=True), "version"),
        (lambda d: d.update(slug="Public"), "slug"),
        (lambda d: d.update(slug="a" * 41), "slug"),
        (lambda d: d.update(group="citizens"), "group must be one of"),
        (lambda d: d.update({1: "x"}), "unknown keys ['1']"),
        # the scale
        (lambda d: d.pop("scale"), "missing keys ['scale']"),
        (lambda d: d["scale"].update(labels=["一", "二"]), "exactly 5 non-empty labels"),
        (lambda d: d["scale"].update(labels="很不满意,不满意,一般,满意,很满意"), "labels"),
        (lambda d: d["scale"].update(points=1), "points"),
        (lambda d: d["scale"].update(points=12), "points"),
        (lambda d: d["scale"].update(points="5"), "points"),
        (lambda d: d["scale"].update(dont_know=""), "dont_know"),
        (lambda d: d["scale"].update(colour="red"), "scale is exactly"),
        (lambda d: d["scale"].pop("dont_know"), "scale is exactly"),
        # any item
        (lambda d: d["items"].append("E9"), "an item is a mapping"),
        (set_item(0, id="csrf_token"), "id 'csrf_token'"),
        (set_item(0, id="_secret"), "id '_secret'"),
        (set_item(0, id="1st"), "id '1st'"),
        (set_item(0, id="E-1"), "id 'E-1'"),
        (set_item(0, id="E" * 33), "must match"),
        (set_item(0, id=7), "id 7"),
        (lambda d: d["items"][0].pop("id"), "id None"),
        (lambda d: d["items"][0].pop("type"), "type must be one of"),
        (set_item(0, type=["rating"]), "type must be one of"),
        (lambda d: d["items"][0].pop("text"), "'text' must be non-empty text"),
        (set_item(0, text=42), "'text' must be non-empty text"),
        (set_item(0, help=["提示"]), "'help' must be non-empty text"),
        (set_item(0, required="yes"), "required must be true or false"),
        (set_item(0, colour="red"), "unknown keys ['colour']"),
        # ratings
        (lambda d: d["items"][0].pop("dimension"), "dimension must be"),
        (set_item(0, dimension=["effectiveness"]), "dimension must be"),
        (set_item(0, aspect="coordination"), "aspect of effectiveness"),
        (lambda d: d["items"][1].pop("aspect"), "aspect of cooperation"),
        (set_item(0, options=[]), "unknown keys ['options']"),
        (set_item(1, scale={"points": 3, "labels": ["差", "好"], "dont_know": "?"}), "labels"),
        # choices
        (set_item(2, dimension="effectiveness"), "unknown keys ['dimension']"),
        (set_item(2, max_choices=1), "unknown keys ['max_choices']"),
        (set_item(2, options=[{"code": "a", "label": "甲"}]), "at least two options"),
        (set_item(2, options="window,online"), "at least two options"),
        (set_item(2, options=[{"code": "a", "label": "甲"}, "b"]), "option 2"),
        (set_item(2, options=options("a", "甲", "a")), "duplicate code 'a'"),
        (set_item(2, options=options([], "甲")), "code []"),
        (set_item(2, options=options("a" * 21, "甲")), "must match [a-z0-9_]{1,20}"),
        (set_item(2, options=options("A", "甲")), "must match [a-z0-9_]{1,20}"),
        (set_item(2, options=options("a", 1)), "label must be non-empty text"),
        (set_item(2, options=options("a", " ")), "label must be non-empty text"),
        (lambda d: d["items"][2].pop("options"), "at least two options"),
        (set_item(3, max_choices=0), "max_choices must be a positive integer"),
        (set_item(3, max_choices="2"), "max_choices must be a positive integer"),
        (set_item(3, max_choices=4), "must not exceed the number of options"),
        # text
        (set_item(4, max_length=5000), "max_length must be an integer from 1 to 2000"),
        (set_item(4, max_length="500"), "max_length"),
        (set_item(4, options=[]), "unknown keys ['options']"),
    ],
)
def test_a_bad_definition_names_the_problem(change, fragment):
    errors = broken(change)
    assert any(fragment in error for error in errors), errors


@pytest.mark.parametrize("data", [None, [], "slug: public", 42])
def test_a_definition_that_is_no_mapping_is_refused(data):
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, where="x.yaml")
    assert caught.value.errors == ["x.yaml: a questionnaire is a mapping"]


JUNK = [None, 0, True, 2.5, "", "x", [], [1], {}, {"a": 1}, {1: 2}]


def leaves(node, path=()):
    if path:
        yield path
    if isinstance(node, dict):
        children = node.items()
    elif isinstance(node, list):
        children = enumerate(node)
    else:
        return
    for key, child in children:
        yield from leaves(child, (*path, key))


def test_any_wrong_type_anywhere_is_a_definition_error_never_a_crash():
    for path in leaves(definition()):
        for junk in JUNK:
            data = node = definition()
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = junk
            try:
                parse_definition(data)
            except DefinitionError:
                pass
