"""The 0–10 score, added through the question-type registry alone: one class and its partial
template. Every consumer takes it from the registry: the schema, the answering page, a posted
answer, a paper-import cell, the export, the results' figures and the demo's answers."""

from __future__ import annotations

import copy
import io
import random

import openpyxl
import pytest
from flask import render_template_string
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from survey.questionnaires.itemtypes import ABSENT, ITEM_TYPES, AnswerError, DemoRespondent
from survey.questionnaires.schema import DefinitionError, parse_definition, read_answers
from survey.responses.admin import exporting, importing
from survey.responses.admin.results import campaign_results
from survey.responses.models import Answer, Response
from tests.fixtures.spreadsheets import xlsx_bytes
from tests.responses.admin.conftest import add_response
from tests.responses.public.conftest import definition as public_definition
from tests.responses.public.conftest import form_fields, make_campaign

REQUIRED = {"E1": "4", "C1": "dk"}  # the other required items of the public questionnaire
SCORE = {
    "id": "NPS",
    "type": "score",
    "text": "您向亲友推荐到该单位办事的可能性有多大？",
    "low": "完全不可能",
    "high": "非常可能",
}


def with_score(**changes) -> dict:
    data = copy.deepcopy(public_definition())
    data["items"].append({**SCORE, **changes})
    return data


def score_item(**changes):
    return parse_definition(with_score(**changes)).item("NPS")


def test_a_file_gives_a_score_with_optional_words_at_its_ends():
    item = score_item()
    assert item.item_type is ITEM_TYPES["score"]
    assert item.required is False  # like every type but the rating
    assert dict(item.settings) == {"low": "完全不可能", "high": "非常可能"}
    assert item.dimension is None  # no rating: the scores never read it
    assert item not in parse_definition(with_score()).rating_items
    data = with_score()
    del data["items"][-1]["low"], data["items"][-1]["high"]
    assert dict(parse_definition(data).item("NPS").settings) == {}


def test_a_score_writes_back_as_its_file_gave_it():
    data = with_score()
    assert parse_definition(data).to_dict()["items"][-1] == {**SCORE, "required": False}
    bare = {key: value for key, value in SCORE.items() if key not in {"low", "high"}}
    data["items"][-1] = bare
    assert parse_definition(data).to_dict()["items"][-1] == {**bare, "required": False}


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"low": ""}, "'low' must be non-empty text"),
        ({"high": 10}, "'high' must be non-empty text"),
        ({"options": []}, "unknown keys ['options']"),
    ],
)
def test_a_bad_score_item_is_reported(changes, problem):
    with pytest.raises(DefinitionError) as raised:
        parse_definition(with_score(**changes))
    assert any(error.endswith(problem) and "item NPS" in error for error in raised.value.errors)


def test_the_answering_page_draws_eleven_taps_from_0_to_10(app):
    definition = parse_definition(with_score())
    with app.test_request_context():
        html = render_template_string(
            '{% from "questionnaires/_items.html" import render_items %}'
            "{{ render_items(definition, raw, {}) }}",
            definition=definition,
            raw={"NPS": ["7"]},
        )
    fieldset = html[html.index('id="q-NPS"') :]
    assert 'class="item item-score' in html
    for number in range(11):
        assert f'id="NPS-{number}" name="NPS" value="{number}"' in fieldset
    assert 'value="7" checked' in fieldset and fieldset.count(" checked") == 1
    assert "0 = 完全不可能" in fieldset and "10 = 非常可能" in fieldset


@pytest.mark.parametrize(("posted", "stored"), [("0", "0"), ("10", "10"), (" 7 ", "7")])
def test_a_posted_score_is_stored_as_its_number(app, posted, stored):
    definition = parse_definition(with_score())
    form = MultiDict({**REQUIRED, "NPS": posted})
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        answers = read_answers(definition, form)
    assert answers.ok and answers.stored["NPS"] == stored


@pytest.mark.parametrize("posted", ["11", "-1", "dk", "7.5", "x"])
def test_a_score_outside_0_to_10_is_refused_in_chinese(app, posted):
    definition = parse_definition(with_score(required=True))
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        answers = read_answers(definition, MultiDict({**REQUIRED, "NPS": posted}))
        missing = read_answers(definition, MultiDict(REQUIRED))
    assert answers.errors == {"NPS": "请选择 0 至 10 的分数。"}
    assert missing.errors == {"NPS": "此题为必答题。"}
    optional = read_answers(parse_definition(with_score()), MultiDict(REQUIRED))
    assert optional.ok and "NPS" not in optional.stored  # unanswered and optional: no row


def test_a_paper_cell_is_read_as_a_score(app):
    item = score_item()
    assert item.item_type.read_cell(item, "10") == "10"
    assert item.item_type.read_cell(item, "0") == "0"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        with pytest.raises(AnswerError) as raised:
            item.item_type.read_cell(item, "11")
        assert str(raised.value.message) == "NPS：'11' 不是 0 至 10 的分数。"


def test_import_export_and_results_take_the_score_from_the_registry(db_session, world, app, client):
    campaign = make_campaign(db_session, world, data=with_score())
    db_session.commit()
    agency = world.agency_a

    template = importing.template_bytes(db_session, campaign)
    book = openpyxl.load_workbook(io.BytesIO(template))
    header = [cell.value for cell in book.worksheets[0][1]]
    assert header[-1] == "NPS " + SCORE["text"]
    help_rows = [[c.value for c in row] for row in book.worksheets[1].iter_rows()]
    assert ["NPS", "0–10 分", None, SCORE["text"], "0–10"] in help_rows

    cells = {"被评价单位": agency.name, "渠道": "纸质问卷", "E1": "4", "C1": "不了解"}
    rows = [[cells.get(title.split()[0], "") for title in header] for _ in range(3)]
    for row, score in zip(rows, ("9", "10", "11"), strict=True):
        row[-1] = score
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        refused = importing.parse(db_session, campaign, xlsx_bytes(header, rows))
        rows[2][-1] = "8"
        accepted = importing.parse(db_session, campaign, xlsx_bytes(header, rows))
    assert refused.errors == [(4, "NPS：'11' 不是 0 至 10 的分数。")]
    assert [row.answers["NPS"] for row in accepted.rows] == ["9", "10", "8"]

    for score in ("9", "10", "8", "2", "0"):
        add_response(db_session, campaign, agency, {"E1": "4", "C1": None, "NPS": score})
    add_response(db_session, campaign, agency, {"E1": "4", "C1": None})
    db_session.commit()

    exported = [row[-1] for row in exporting.rows(db_session, campaign)]
    assert exported == [9, 10, 8, 2, 0, ""]  # numbers, as a rating's are; unanswered is empty

    results = campaign_results(db_session, campaign)
    assert "NPS" in [item.id for item in results.items]
    (figures,) = [f for f in results.figures if f.agency_id == agency.id]
    cell = figures.cells["NPS"]
    assert cell.n == 5 and cell.dont_know == 0
    assert cell.mean == pytest.approx((9 + 10 + 8 + 2 + 0) / 5)


def test_the_page_posts_a_score_through_the_open_link(db_session, world, client):
    campaign = make_campaign(db_session, world, data=with_score())
    db_session.commit()
    url = f"/A/{campaign.campaign_agencies[0].code}"
    fields = form_fields(client.get(url).get_data(as_text=True))
    hidden = {"_key": fields["_key"], "_t": fields["_t"]}
    answers = {"E1": "4", "C1": "dk", "contact": "window", "NPS": "6"}
    assert client.post(url, data={**answers, **hidden}).status_code == 303
    stored = dict(
        db_session.execute(
            select(Answer.item_id, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.campaign_id == campaign.id)
        ).all()
    )
    assert stored == {"E1": "4", "C1": None, "contact": "window", "NPS": "6"}


def test_the_demo_answers_a_score_from_0_to_10():
    item = score_item()
    rng = random.Random(7)
    respondent = DemoRespondent(quality=4.2, dont_know_rate=0.07, comments=("好",))
    answers = [item.item_type.demo_answer(item, rng, respondent) for _ in range(200)]
    given = [int(value) for answered, value in answers if answered]
    assert 100 < len(given) < 200  # an optional item is sometimes left out
    assert min(given) >= 0 and max(given) <= 10
    assert 7 <= sum(given) / len(given) <= 10  # a good agency scores high
    assert ABSENT not in given
