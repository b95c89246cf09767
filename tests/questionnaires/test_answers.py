"""Reading a submitted form against a questionnaire: every item type, good and bad input."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from survey.questionnaires.schema import parse_definition, read_answers
from tests.questionnaires.samples import definition

SAMPLE = parse_definition(definition())
REQUIRED_ONLY = {"E1": "3"}


def read(form, app, language="zh-CN"):
    pairs = form if isinstance(form, list) else list(form.items())
    with app.test_request_context(headers={"Accept-Language": language}):
        return read_answers(SAMPLE, MultiDict(pairs))


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_answers_are_stored_in_their_documented_form_and_order(app):
    answers = read(
        [
            ("comment", " 很好\x0b\n 继续\r\n保持\x85 "),
            ("problems", "openness"),
            ("problems", "speed"),
            ("contact", "online"),
            ("C1", "dk"),
            ("E1", "4"),
        ],
        app,
    )
    assert answers.ok and answers.errors == {}
    assert answers.stored == {
        "E1": "4",
        "C1": None,
        "contact": "online",
        "problems": "speed,openness",
        "comment": "很好\n 继续\n保持",
    }
    assert list(answers.stored) == ["E1", "C1", "contact", "problems", "comment"]
    assert answers.raw["problems"] == ["openness", "speed"]


def test_unanswered_optional_items_are_not_stored_at_all(app):
    answers = read({"E1": "5", "C1": "", "contact": "", "comment": "  \n "}, app)
    assert answers.ok
    assert answers.stored == {"E1": "5"}


def test_dont_know_differs_from_no_answer(app):
    assert read({"E1": "dk"}, app).stored == {"E1": None}
    blank = read({"E1": ""}, app)
    assert not blank.ok and set(blank.errors) == {"E1"}  # required: blank is not 不了解
    assert "E1" not in blank.stored
    assert read({}, app).errors["E1"] == "此题为必答题。"


def test_form_keys_that_are_not_items_are_ignored(app):
    answers = read({"E1": "2", "csrf_token": "x", "_started": "1", "E9": "5"}, app)
    assert answers.ok and answers.stored == {"E1": "2"}
    assert set(answers.raw) == {"E1"}


@pytest.mark.parametrize(
    "form",
    [
        {"E1": "6"},
        {"E1": "0"},
        {"E1": "-1"},
        {"E1": "4.5"},
        {"E1": "²"},  # str.isdigit() says yes, int() says no
        {"E1": "٣"},  # an Arabic-Indic three
        {"E1": "４"},  # a full-width four
        {"E1": "DK"},
        {"E1": "不了解"},
        {"E1": "1" * 400},
        [("E1", "1"), ("E1", "5")],  # two values for one radio group
        [("E1", "1"), ("E1", "dk")],
        {"E1": "3", "C1": "4"},  # C1 has its own 3-point scale
        {"E1": "3", "contact": "bribe"},
        [("E1", "3"), ("contact", "window"), ("contact", "online")],
        {"E1": "3", "problems": "speed,attitude"},  # codes one by one, never joined
        [("E1", "3"), ("problems", "speed"), ("problems", "bribe")],
        [("E1", "3"), ("problems", "speed"), ("problems", "attitude"), ("problems", "openness")],
        {"E1": "3", "comment": "长" * 21},
    ],
    ids=repr,
)
def test_out_of_range_tampered_or_too_long_answers_are_refused_in_chinese(app, form):
    answers = read(form, app)
    assert not answers.ok
    ((item_id, message),) = answers.errors.items()
    assert isinstance(message, str) and chinese(message)
    assert item_id not in answers.stored
    assert answers.raw[item_id]  # what was sent comes back for the form


def test_each_refusal_says_what_is_wrong(app):
    errors = read(
        [
            ("C1", "9"),
            ("contact", "bribe"),
            ("problems", "speed"),
            ("problems", "attitude"),
            ("problems", "openness"),
            ("comment", "长" * 21),
        ],
        app,
    ).errors
    assert errors == {
        "E1": "此题为必答题。",
        "C1": "请选择一个选项。",
        "contact": "请选择一个选项。",
        "problems": "最多选择 2 项。",
        "comment": "请控制在 20 字以内。",
    }


def test_messages_follow_the_language(app):
    assert read({}, app, language="en").errors["E1"] == "This question is required."


def test_other_answers_are_kept_when_one_is_refused(app):
    answers = read({"E1": "4", "contact": "bribe", "comment": "办事快"}, app)
    assert set(answers.errors) == {"contact"}
    assert answers.stored == {"E1": "4", "comment": "办事快"}
    assert answers.raw == {"E1": ["4"], "contact": ["bribe"], "comment": ["办事快"]}


def test_text_at_its_limit_is_accepted_and_counted_after_cleaning(app):
    assert read({"E1": "1", "comment": "长" * 20}, app).stored["comment"] == "长" * 20
    # control characters and surrounding blanks do not count toward the limit
    padded = " \x00" + "长" * 20 + "\x7f\r\n"
    assert read({"E1": "1", "comment": padded}, app).stored["comment"] == "长" * 20


def test_a_repeated_choice_counts_once(app):
    answers = read(
        [("E1", "1"), ("contact", "window"), ("contact", "window")] + [("problems", "speed")] * 3,
        app,
    )
    assert answers.ok
    assert answers.stored["contact"] == "window" and answers.stored["problems"] == "speed"


def test_a_required_choice_and_text(app):
    data = definition()
    for item in data["items"][2:]:
        item["required"] = True
    strict = parse_definition(data)
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        answers = read_answers(strict, MultiDict({"E1": "1", "comment": "\x00 \n"}))
    assert set(answers.errors) == {"contact", "problems", "comment"}
    assert set(answers.errors.values()) == {"此题为必答题。"}
