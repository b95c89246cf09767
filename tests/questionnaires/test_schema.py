"""The questionnaire schema and the question-type registry."""

from __future__ import annotations

import copy

import pytest
import yaml
from werkzeug.datastructures import MultiDict

from survey import resource_dir
from survey.questionnaires.schema import DefinitionError, parse_definition, read_answers
from tests.responses.public.conftest import definition

SHIPPED = sorted(resource_dir("questionnaires").glob("*/v*.yaml"))


def test_four_standard_questionnaires_ship_one_per_group():
    groups = {yaml.safe_load(path.read_text())["group"] for path in SHIPPED}
    assert groups == {"public", "deputy", "grassroots", "peer"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_shipped_questionnaire_parses_and_round_trips(path):
    parsed = parse_definition(yaml.safe_load(path.read_text()), where=path.name)
    assert parse_definition(parsed.to_dict()) == parsed
    assert 8 <= len(parsed.rating_items) <= 14
    assert {item.dimension for item in parsed.rating_items} == {"effectiveness", "cooperation"}
    assert any(item.type == "text" for item in parsed.items)


def broken(change) -> list[str]:
    data = copy.deepcopy(definition())
    change(data)
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, where="t.yaml")
    return caught.value.errors


def test_every_problem_is_reported_at_once():
    def many(data):
        data["colour"] = "red"
        data["group"] = "aliens"
        data["items"][0]["dimension"] = "speed"
        data["items"][1]["id"] = "E1"
        data["items"][2]["options"] = [{"code": "Bad Code", "label": ""}]

    errors = broken(many)
    assert len(errors) >= 5
    text = "\n".join(errors)
    for fragment in ("colour", "group", "dimension", "duplicate item id", "code", "label"):
        assert fragment in text


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda d: d["scale"].update(labels=["一", "二"]), "labels"),
        (lambda d: d["scale"].update(points=1), "points"),
        (lambda d: d["items"][0].update(aspect="coordination"), "aspect"),
        (lambda d: d["items"][0].update(id="csrf_token"), "id"),
        (lambda d: d["items"][0].update(id="_secret"), "id"),
        (lambda d: d["items"][0].update(type="slider"), "type"),
        (lambda d: d["items"][0].update(required="yes"), "required"),
        (lambda d: d["items"][3].update(max_length=5000), "max_length"),
        (lambda d: d["items"][2].update(options=[{"code": "a", "label": "甲"}]), "two options"),
        (lambda d: d.update(items=[]), "items"),
        (lambda d: d.pop("title"), "title"),
        (lambda d: d.update(version=0), "version"),
    ],
)
def test_a_bad_definition_names_the_problem(change, fragment):
    assert any(fragment in error for error in broken(change))


def read(form: dict, data=None):
    parsed = parse_definition(data or definition())
    return read_answers(parsed, MultiDict(form))


def test_answers_are_stored_in_their_documented_form(app):
    with app.test_request_context():
        answers = read({"E1": "4", "C1": "dk", "contact": "online", "comment": " 很好\x0b\n "})
    assert answers.ok
    assert answers.stored == {"E1": "4", "C1": None, "contact": "online", "comment": "很好"}


def test_dont_know_differs_from_no_answer(app):
    with app.test_request_context():
        answers = read({"E1": "dk", "C1": ""})
    assert answers.stored == {"E1": None}
    assert set(answers.errors) == {"C1"}  # required: blank is not 不了解


@pytest.mark.parametrize(
    "form",
    [
        {"E1": "6", "C1": "1"},
        {"E1": "0", "C1": "1"},
        {"E1": "4.5", "C1": "1"},
        {"E1": "1", "C1": "1", "contact": "bribe"},
        {"E1": "1", "C1": "1", "comment": "长" * 201},
    ],
)
def test_out_of_range_or_tampered_values_are_refused_in_chinese(app, form):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        answers = read(form)
    assert not answers.ok
    (message,) = answers.errors.values()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert answers.raw  # what was sent comes back for the form


def test_multiple_choice_keeps_option_order_and_its_limit(app):
    data = definition()
    data["items"].append(
        {
            "id": "why",
            "type": "multiple",
            "text": "原因",
            "max_choices": 2,
            "options": [{"code": c, "label": c.upper()} for c in ("a", "b", "c")],
        }
    )
    with app.test_request_context():
        chosen = read(MultiDict([("E1", "1"), ("C1", "1"), ("why", "c"), ("why", "a")]), data)
        too_many = read(
            MultiDict([("E1", "1"), ("C1", "1"), ("why", "a"), ("why", "b"), ("why", "c")]), data
        )
    assert chosen.stored["why"] == "a,c"
    assert "why" in too_many.errors
