"""QR images and printable PDFs (pure functions)."""

from __future__ import annotations

import io
import re

import pytest
import segno

from survey.campaigns import printing

URL = "HTTPS://PJ.EXAMPLE.GOV.CN/A/ABCDEFGH"


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_images_are_the_qr_code_of_the_url():
    assert printing.qr_png(URL).startswith(b"\x89PNG")
    expected = io.BytesIO()
    segno.make(URL, error="m").save(expected, kind="svg", scale=8)
    assert printing.qr_svg(URL) == expected.getvalue()


def test_uppercase_links_make_smaller_codes():
    assert segno.make(URL, error="m").version < segno.make(URL.lower(), error="m").version


def test_one_poster_page_per_agency_with_the_chinese_font():
    posters = [printing.Poster("2026年度评价", f"第{n}局", URL) for n in range(3)]
    pdf = printing.posters_pdf(posters)
    assert pdf.startswith(b"%PDF") and pages(pdf) == 3
    assert b"STSong-Light" in pdf


def test_fifteen_slips_per_page():
    slips = [printing.Slip(URL, "A" * 26, "甲局") for _ in range(16)]
    pdf = printing.token_sheet_pdf("2026年度评价", slips)
    assert pages(pdf) == 2


def test_nothing_to_print_is_an_error():
    with pytest.raises(ValueError, match="no"):
        printing.token_sheet_pdf("t", [])
    with pytest.raises(ValueError, match="no"):
        printing.posters_pdf([])
