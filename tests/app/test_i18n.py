"""The Chinese catalog covers the code, is fully translated and compiled; pages come out in it.

The strings are extracted from the current code in-process with Babel's own command line and
the exact options of ``scripts/i18n.sh``, so a string added anywhere without a translation
fails here (fix: ``scripts/i18n.sh extract``, translate, ``scripts/i18n.sh compile``).
"""

from __future__ import annotations

import logging
import re
import shlex
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.fixtures.client import form_errors

ROOT = Path(__file__).resolve().parents[2]
LOCALE = "zh_Hans_CN"
PO = ROOT / "survey" / "translations" / LOCALE / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
# WTForms' own zh catalog, reached through Flask-WTF for the zh_Hans_CN locale.
REQUIRED_ZH = "该字段是必填字段。"
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def extract_options() -> list[str]:
    """The ``pybabel extract`` options that scripts/i18n.sh uses (its EXTRACT_OPTIONS array)."""
    script = (ROOT / "scripts" / "i18n.sh").read_text(encoding="utf-8")
    found = re.search(r"^EXTRACT_OPTIONS=\((.*?)^\)", script, re.DOTALL | re.MULTILINE)
    assert found, "scripts/i18n.sh must define EXTRACT_OPTIONS=( … )"
    return shlex.split(found.group(1), comments=True)


def as_tuple(string):
    """A plural message's strings: a list when read from .mo, a tuple from .po."""
    return tuple(string) if isinstance(string, list) else string


def keyed(catalog) -> dict:
    """Messages by (msgid, context); a plural message by its singular msgid."""
    return {
        (message.id if isinstance(message.id, str) else message.id[0], message.context): message
        for message in catalog
        if message.id
    }


def strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def code_messages(tmp_path_factory) -> dict:
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    argv = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), *extract_options()]
    argv += ["-o", str(pot), str(ROOT)]
    # The command line sets up the "babel" logger; leave it as it was for other tests.
    logger = logging.getLogger("babel")
    handlers, level = list(logger.handlers), logger.level
    try:
        assert CommandLineInterface().run(argv) in (None, 0)
    finally:
        logger.handlers[:], logger.level = handlers, level
    with pot.open("rb") as f:
        messages = keyed(read_po(f))
    assert len(messages) > 100, "extraction found too few strings: is babel.cfg right?"
    return messages


@pytest.fixture(scope="module")
def catalog():
    with PO.open("rb") as f:
        return read_po(f, locale=LOCALE)


def test_catalog_covers_every_string_of_the_code(code_messages, catalog):
    missing = sorted(code_messages.keys() - keyed(catalog).keys(), key=str)
    assert not missing, f"not in {PO.name}; run scripts/i18n.sh extract and translate: {missing}"


def test_layouts_and_macros_are_extracted(code_messages):
    # Babel skips folders starting with "_" unless told otherwise (templates/_layouts).
    assert ("Log out", None) in code_messages
    assert ("Function supervision platform", None) in code_messages


def test_catalog_has_no_untranslated_or_fuzzy_entries(catalog):
    fuzzy = [key for key, message in keyed(catalog).items() if message.fuzzy]
    untranslated = [key for key, message in keyed(catalog).items() if not all(strings(message))]
    assert not fuzzy, f"fuzzy entries (check the translation, drop the flag): {fuzzy}"
    assert not untranslated, f"untranslated entries: {untranslated}"


def test_translations_keep_the_placeholders(catalog):
    wrong = []
    for key, message in keyed(catalog).items():
        # A plural form may follow either English form ("One agency" / "%(num)d agencies").
        allowed = [placeholders(text) for text in ids(message)]
        if any(placeholders(text) not in allowed for text in strings(message) if text):
            wrong.append((key[0], strings(message)))
    assert not wrong, f"placeholders differ from the msgid: {wrong}"


def test_compiled_catalog_matches_the_po(catalog):
    assert MO.exists(), "run scripts/i18n.sh compile"
    with MO.open("rb") as f:
        compiled = {key: as_tuple(message.string) for key, message in keyed(read_mo(f)).items()}
    source = {
        key: as_tuple(message.string)
        for key, message in keyed(catalog).items()
        if not message.fuzzy and all(strings(message))
    }
    assert compiled == source, "messages.mo is out of date: run scripts/i18n.sh compile"


def test_pages_are_chinese_by_default(client):
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html
    assert "Log in" not in html
    assert 'lang="zh-CN"' in html


def test_english_when_the_browser_asks_for_it(client):
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Log in" in html
    assert "登录" not in html
    assert 'lang="en"' in html


def test_wtforms_errors_are_chinese(client):
    response = client.post("/login", data={"username": "", "password": ""})
    assert form_errors(response.get_data(as_text=True)) == [REQUIRED_ZH, REQUIRED_ZH]


def test_wtforms_errors_are_english_when_asked(client):
    response = client.post(
        "/login", data={"username": "", "password": ""}, headers={"Accept-Language": "en"}
    )
    errors = form_errors(response.get_data(as_text=True))
    assert errors == ["This field is required.", "This field is required."]


def test_counts_use_plural_forms(world, login):
    client = login(world.supervisor)
    english = client.get(
        "/admin/agencies/", query_string={"q": "甲局"}, headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "1 agency<" in english
    chinese = client.get("/admin/agencies/").get_data(as_text=True)
    assert "共 3 个机关" in chinese
