"""The official format's figures (GB/T 9704-2012, in Word's units) and the one fix every run
needs: python-docx and docxtpl write a font's name only for Latin text (``w:ascii``,
``w:hAnsi``), so Chinese text keeps the theme's East Asian font unless ``w:eastAsia`` is set
on the run *and* the ``w:eastAsiaTheme`` attribute, which wins over it, is removed."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# Fonts are named, never embedded (仿宋_GB2312 and 方正小标宋 are not redistributable): the
# reader's Word or WPS supplies them.
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"  # digits and Latin letters in the body

BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
PAGE_NUMBER_PT = 14  # 4号
TABLE_PT = 12  # 小4号: tables of many columns stay inside the 156 mm text block
CAPTION_PT = 14

# Twips (1/20 pt): A4 and the margins 37 / 28 / 35 / 26 mm (top, left, bottom, right).
PAGE_WIDTH, PAGE_HEIGHT = 11906, 16838
MARGIN_TOP, MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_RIGHT = 2098, 1587, 1984, 1474
# 22 lines in the 225 mm block: 22 × 579 = 12738 ≤ 12756.
LINE_PITCH = 579
CHARS_PER_LINE = 28
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 8845 twips = 156 mm

STYLE_BODY = "Normal"
STYLE_TITLE = "Title"
STYLE_HEADING1 = "Heading 1"  # 一、黑体
STYLE_HEADING2 = "Heading 2"  # （一）楷体
STYLE_HEADING3 = "Heading 3"  # 1. 仿宋
STYLE_TABLE = "Table Text"
STYLE_CAPTION = "Caption"
STYLE_SIGNATURE = "Signature"
STYLE_FOOTER = "Footer"
STYLE_NOTE = "Note Text"

FONT_OF_STYLE = {
    STYLE_BODY: BODY_FONT,
    STYLE_TITLE: TITLE_FONT,
    STYLE_HEADING1: HEADING1_FONT,
    STYLE_HEADING2: HEADING2_FONT,
    STYLE_HEADING3: BODY_FONT,
    STYLE_TABLE: BODY_FONT,
    STYLE_CAPTION: HEADING1_FONT,
    STYLE_SIGNATURE: BODY_FONT,
    STYLE_FOOTER: PAGE_NUMBER_FONT,
    STYLE_NOTE: HEADING2_FONT,
}


def set_fonts(r_pr, east_asian: str, latin: str | None = None) -> None:
    """Name the fonts of a run or style properties element (``w:rPr``), East Asian included."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    latin = latin or east_asian
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def font_run(run, east_asian: str, latin: str | None = None) -> None:
    set_fonts(run._r.get_or_add_rPr(), east_asian, latin)


def fix_runs(paragraphs, east_asian: str, latin: str | None = LATIN_FONT) -> None:
    """Every run of the paragraphs gets its East Asian font explicitly."""
    for paragraph in paragraphs:
        for run in paragraph.runs:
            font_run(run, east_asian, latin)
