"""QR images and printable PDFs (pure functions)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
import segno

from survey.campaigns import printing

URL = "HTTPS://PJ.EXAMPLE.GOV.CN/A/ABCDEFGH"
TOKEN = "ABCDEFGHJKMNPQRSTVWXYZ2345"
TOKEN_URL = f"HTTP://PJ.EXAMPLE.GOV.CN/T/{TOKEN}"


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_images_are_the_qr_code_of_the_url():
    assert printing.qr_png(URL).startswith(b"\x89PNG")
    expected = io.BytesIO()
    segno.make(URL, error="m").save(expected, kind="svg", scale=8)
    assert printing.qr_svg(URL) == expected.getvalue()


def test_uppercase_links_make_smaller_codes():
    assert segno.make(URL, error="m").version < segno.make(URL.lower(), error="m").version


def test_one_poster_page_per_agency():
    posters = [printing.Poster("2026年度评价", f"第{n}局", URL) for n in range(3)]
    pdf = printing.posters_pdf(posters)
    assert pdf.startswith(b"%PDF") and pages(pdf) == 3


needs_font_tools = pytest.mark.skipif(
    printing.FONT != printing.EMBEDDED_FONT or not shutil.which("pdffonts"),
    reason="needs fonts-wqy-microhei and poppler-utils (apt-get install; .ci/run installs both)",
)


@needs_font_tools
@pytest.mark.parametrize("kind", ["posters", "slips"])
def test_the_chinese_font_is_embedded_and_its_text_extracts(tmp_path, kind):
    if kind == "posters":
        printed = "http://pj.example.gov.cn/a/abcdefgh"
        pdf = printing.posters_pdf([printing.Poster("2026年度评价", "枣庄市教育局", URL, printed)])
    else:
        slip = printing.Slip(TOKEN_URL, TOKEN, "甲局", TOKEN_URL.lower())
        pdf = printing.token_sheet_pdf("2026年度评价", [slip])
    path = tmp_path / "printed.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(
        [shutil.which("pdffonts"), path], capture_output=True, text=True, check=True
    )
    rows = [line.split() for line in fonts.stdout.splitlines()[2:]]
    cjk = [row for row in rows if "WenQuanYiMicroHei" in row[0]]
    # a subset (ABCDEF+ prefix), embedded ("emb" yes), never a font only named
    assert cjk and all(re.match(r"[A-Z]{6}\+", row[0]) for row in cjk)
    assert all(row[-5] == "yes" for row in cjk), fonts.stdout
    assert b"STSong-Light" not in pdf
    text = subprocess.run(
        [shutil.which("pdftotext"), path, "-"], capture_output=True, text=True, check=True
    )
    assert "2026年度评价" in text.stdout
    if kind == "posters":
        assert "枣庄市教育局" in text.stdout and "请用手机扫描二维码" in text.stdout
        assert "http://pj.example.gov.cn/a/abcdefgh" in text.stdout  # typed in lower case
    else:
        assert "评价单位：甲局" in text.stdout and "每个二维码仅限一人使用一次" in text.stdout
        # the link to type, in lower case: the address, then the code on its own line
        assert f"{TOKEN_URL.lower().rsplit('/', 1)[0]}/\n{TOKEN.lower()}\n" in text.stdout
        assert "ABCD EFGH JKMN" in text.stdout  # the code for the survey page's box


def test_the_printed_link_fits_its_slip():
    width = 57 * printing.mm
    long_url = "https://pingjia.bianban.zaozhuang.gov.cn/t/" + TOKEN.lower()
    lines = printing._link_lines(long_url, width)
    assert [line for line, _ in lines] == [long_url[:-26], TOKEN.lower()]
    assert lines[1][1] == 7.5  # the code in the largest size
    assert all(
        printing.pdfmetrics.stringWidth(line, printing.LINK_FONT, size) <= width
        for line, size in lines
    )


def test_fifteen_slips_per_page():
    slips = [printing.Slip(URL, "A" * 26, "甲局") for _ in range(16)]
    pdf = printing.token_sheet_pdf("2026年度评价", slips)
    assert pages(pdf) == 2


def test_nothing_to_print_is_an_error():
    with pytest.raises(ValueError, match="no"):
        printing.token_sheet_pdf("t", [])
    with pytest.raises(ValueError, match="no"):
        printing.posters_pdf([])
