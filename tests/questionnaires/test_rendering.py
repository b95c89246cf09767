"""The items macro: plain named fields, the respondent's answers kept, errors announced."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from survey.questionnaires.schema import parse_definition
from tests.questionnaires.samples import definition

SAMPLE = parse_definition(definition())
MACRO = (
    '{% from "questionnaires/_items.html" import render_items %}'
    "{{ render_items(definition, raw, errors) }}"
)


def render(app, raw=None, errors=None) -> str:
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        return render_template_string(MACRO, definition=SAMPLE, raw=raw or {}, errors=errors or {})


def inputs(html: str, name: str) -> list[str]:
    return re.findall(rf'<(?:input|textarea)[^>]*\bname="{name}"[^>]*>', html)


def checked(html: str, name: str) -> list[str]:
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in inputs(html, name)
        if " checked" in tag
    ]


def test_every_item_is_a_numbered_fieldset_of_plain_fields(app):
    html = render(app)
    assert html.count("<fieldset") == len(SAMPLE.items) == 5
    for number, item in enumerate(SAMPLE.items, start=1):
        assert re.search(rf"<legend[^>]*>.*{number}\..*{item.text}", html)
    assert "<script" not in html and "onclick" not in html
    assert html.count('class="required"') == 1  # only E1 is required
    assert "最多选两项" in html  # help text


def test_a_rating_offers_its_scale_and_a_separate_dont_know(app):
    html = render(app)
    e1 = inputs(html, "E1")
    assert [re.search(r'value="([^"]*)"', tag).group(1) for tag in e1] == [
        "1", "2", "3", "4", "5", "dk",
    ]  # fmt: skip
    assert all('type="radio"' in tag for tag in e1)
    for label in ("很不满意", "很满意", "不了解"):
        assert label in html
    # C1 overrides the scale: three points and its own don't-know label
    assert len(inputs(html, "C1")) == 4 and "说不清" in html


def test_choices_are_radios_or_checkboxes_and_text_a_limited_textarea(app):
    html = render(app)
    assert all('type="radio"' in tag for tag in inputs(html, "contact"))
    assert all('type="checkbox"' in tag for tag in inputs(html, "problems"))
    (textarea,) = inputs(html, "comment")
    assert textarea.startswith("<textarea") and 'maxlength="20"' in textarea


def test_what_was_sent_comes_back_selected(app):
    raw = {
        "E1": ["dk"],
        "C1": ["2"],
        "contact": ["online"],
        "problems": ["speed", "openness"],
        "comment": ["<b>好</b> & 快"],
    }
    html = render(app, raw=raw)
    assert checked(html, "E1") == ["dk"]
    assert checked(html, "C1") == ["2"]
    assert checked(html, "contact") == ["online"]
    assert checked(html, "problems") == ["speed", "openness"]
    assert ">&lt;b&gt;好&lt;/b&gt; &amp; 快</textarea>" in html


def test_an_error_is_announced_above_its_item(app):
    html = render(app, errors={"contact": "请选择一个选项。"})
    fieldset = re.search(r'<fieldset[^>]*id="q-contact".*?</fieldset>', html, re.DOTALL).group(0)
    assert "invalid" in fieldset.split(">")[0]
    alert = re.search(r'<p class="error" id="q-contact-e">([^<]*)</p>', fieldset)
    assert alert and alert.group(1) == "请选择一个选项。"
    assert 'aria-describedby="q-contact-e"' in fieldset.split(">")[0]
    assert fieldset.index('id="q-contact-e"') < fieldset.index("<input")
    # the page's one alert is its error summary (questionnaires/_items.html error_summary)
    assert 'role="alert"' not in html


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_macro_is_small(app, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        html = render_template_string(MACRO, definition=SAMPLE, raw={}, errors={})
    assert len(html.encode()) < 8_000
