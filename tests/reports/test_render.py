"""The report and a feedback sheet rendered as a reader's office would: LibreOffice converts
them to PDF (Debian's libreoffice-writer-nogui, installed by .ci/run), poppler reads the PDF
back — its page count, its Chinese text layer, and every word inside the text block, so no
table runs off the page."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.reports.conftest import feedback_builds, report_build, stored

SOFFICE = shutil.which("soffice")
PDFTOTEXT, PDFINFO = shutil.which("pdftotext"), shutil.which("pdfinfo")
pytestmark = pytest.mark.skipif(
    not (SOFFICE and PDFTOTEXT and PDFINFO),
    reason="needs soffice (libreoffice-writer-nogui) and pdftotext (poppler-utils)",
)
MM = 72 / 25.4  # PDF points per millimetre
LEFT, RIGHT = 28 * MM, (210 - 26) * MM  # the text block: left and right margins
HANGING = set("，。、；：）”")


def to_pdf(tmp_path, files: dict[str, bytes]) -> dict[str, bytes]:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    profile = tmp_path / "profile"  # a fresh LibreOffice profile: no state shared with others
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *(str(tmp_path / name) for name in files)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return {name: (tmp_path / name).with_suffix(".pdf").read_bytes() for name in files}


def pages(pdf) -> int:
    info = subprocess.run([PDFINFO, str(pdf)], check=True, capture_output=True, text=True)
    return int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )


def words(pdf) -> list[tuple[float, float, str]]:
    """(xMin, xMax, word) for every word of the text layer."""
    html = subprocess.run(
        [PDFTOTEXT, "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return [
        (float(x0), float(x1), word)
        for x0, x1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
            html,
        )
    ]


def test_the_report_and_a_sheet_render_inside_the_page(
    app, db_session, world, run, tmp_path, backend
):
    if backend != "sqlite":
        pytest.skip("the rendering does not depend on the database; once is enough")
    _, report = report_build(app, db_session, world, run)
    sheet = feedback_builds(app, db_session, world, run, agency_id=world.agency_a.id).sheets[0]
    to_pdf(tmp_path, {"report.docx": report, "sheet.docx": stored(app, sheet)})
    report_pdf, sheet_pdf = tmp_path / "report.pdf", tmp_path / "sheet.pdf"
    assert 3 <= pages(report_pdf) <= 12
    assert 1 <= pages(sheet_pdf) <= 4
    text = subprocess.run(
        [PDFTOTEXT, str(report_pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for heading in (
        "组织实施基本情况",
        "职能运行状况分析",
        "存在问题和薄弱环节",
        "意见建议",
        world.agency_a.name,
    ):
        assert heading in text.replace(" ", "")
    assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*2\s*—", text)  # page numbers
    sheet_text = subprocess.run(
        [PDFTOTEXT, str(sheet_pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "评价结果反馈单" in sheet_text.replace(" ", "") and "各维度得分" in sheet_text.replace(
        " ", ""
    )
    for pdf in (report_pdf, sheet_pdf):
        found = words(pdf)
        assert len(found) > 100
        # A line-end full stop or comma may hang one character into the margin (CJK
        # typography's hanging punctuation, in Word as in LibreOffice); nothing else may.
        outside = [
            (x0, x1, w)
            for x0, x1, w in found
            if x0 < LEFT - 3 or x1 > RIGHT + 3 + (17 if w[-1:] in HANGING else 0)
        ]
        assert not outside, (pdf.name, outside[:5])
