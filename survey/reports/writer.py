"""An official-format document: the committed template filled by docxtpl (title, the 征求意见稿
mark, the 主送机关), then the body appended in the template's styles — headings, paragraphs,
numbered tables and figures, the signature — every run with its East Asian font.

Tables are written as one piece of WordprocessingML (python-docx adds cells one by one, too
slowly for a hundred sheets): fixed layout, widths that add up to the 156 mm text block, the
header row repeated on every page."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from docxtpl import DocxTemplate

from survey.reports import docxformat as f

TEMPLATE = Path(__file__).with_name("official.docx")
FULL_WIDTH_SPACE = "\u3000"


@lru_cache(maxsize=8)
def _filled(title: str, mark: str) -> bytes:
    """The template filled with a title block: a hundred sheets share one (rendering it is
    most of what a sheet's document costs)."""
    template = DocxTemplate(TEMPLATE)
    template.render({"title": title, "mark": mark}, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


class OfficialDocument:
    def __init__(self, *, title: str, mark: str = "", recipient: str = ""):
        self.document = Document(io.BytesIO(_filled(title, mark)))
        self.tables = 0
        self.figures = 0
        if recipient:  # 主送机关: flush left under the title block
            self._paragraph(f"{recipient}：", f.STYLE_BODY).paragraph_format.first_line_indent = 0

    # text
    def _paragraph(self, text: str, style: str, *, latin: str | None = f.LATIN_FONT):
        paragraph = self.document.add_paragraph(style=style)
        if text:
            f.font_run(paragraph.add_run(text), f.FONT_OF_STYLE[style], latin)
        return paragraph

    def heading1(self, text: str):
        return self._paragraph(text, f.STYLE_HEADING1, latin=f.HEADING1_FONT)

    def heading2(self, text: str):
        return self._paragraph(text, f.STYLE_HEADING2)

    def heading3(self, text: str):
        return self._paragraph(text, f.STYLE_HEADING3)

    def paragraph(self, text: str, *, lead: str = ""):
        """Body text; ``lead`` opens it in bold (a 1. item's own title, GB/T 9704 §7.3.3)."""
        paragraph = self.document.add_paragraph(style=f.STYLE_BODY)
        if lead:
            run = paragraph.add_run(lead)
            run.bold = True
            f.font_run(run, f.BODY_FONT, f.LATIN_FONT)
        if text:
            f.font_run(paragraph.add_run(text), f.BODY_FONT, f.LATIN_FONT)
        return paragraph

    def next_document(self, *, title: str, mark: str = "", recipient: str = "") -> None:
        """Start another document in this file: a new section on a new page whose page
        numbers start again at 1 (the footers carry over), with its own title block and its
        own table and figure numbers."""
        section = self.document.add_section(WD_SECTION.NEW_PAGE)
        numbering = section._sectPr.find(qn("w:pgNumType"))
        if numbering is None:
            numbering = OxmlElement("w:pgNumType")
            section._sectPr.append(numbering)
        numbering.set(qn("w:start"), "1")
        self.tables = self.figures = 0
        self._paragraph(title, f.STYLE_TITLE, latin=f.TITLE_FONT)
        if mark:
            self._paragraph(mark, f.STYLE_NOTE)
        self._paragraph("", f.STYLE_BODY)
        if recipient:
            self._paragraph(f"{recipient}：", f.STYLE_BODY).paragraph_format.first_line_indent = 0

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def signature(self, issuer: str, date_text: str) -> None:
        """署名 and 成文日期, kept together and with the last paragraph of the text: never
        alone on a page."""
        last = self.document.element.body[-2]  # the element before the section properties
        if last.tag == qn("w:p"):
            last.get_or_add_pPr().insert(0, OxmlElement("w:keepNext"))
        self._paragraph("", f.STYLE_BODY).paragraph_format.keep_with_next = True
        self._paragraph(issuer, f.STYLE_SIGNATURE).paragraph_format.keep_with_next = True
        self._paragraph(date_text, f.STYLE_SIGNATURE)

    # numbered tables and figures
    def caption(self, text: str, *, figure: bool = False) -> str:
        if figure:
            self.figures += 1
            label = f"图{self.figures}{FULL_WIDTH_SPACE}{text}"
        else:
            self.tables += 1
            label = f"表{self.tables}{FULL_WIDTH_SPACE}{text}"
        self._paragraph(label, f.STYLE_CAPTION, latin=f.HEADING1_FONT)
        return label

    def table(
        self,
        caption: str,
        header: list[str],
        rows: list[list],
        widths: list[int],
        *,
        left: tuple[int, ...] = (),
        note: str = "",
    ) -> None:
        """``widths`` in relative units, scaled to the text block; columns in ``left`` are
        left-aligned (names), the others centred (figures)."""
        self.caption(caption)
        total = sum(widths)
        twips = [f.TEXT_WIDTH * w // total for w in widths]
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in twips)
        parts = [
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/>'
            f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
            '<w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
            "</w:tblCellMar></w:tblPr>"
            f"<w:tblGrid>{grid}</w:tblGrid>",
            _row(header, twips, left=(), header=True),
        ]
        parts.extend(_row(row, twips, left=left) for row in rows)
        parts.append("</w:tbl>")
        body = self.document.element.body
        body.insert(len(body) - 1, parse_xml("".join(parts)))  # before the section properties
        if note:
            self._paragraph(note, f.STYLE_TABLE).alignment = 0
        else:
            self._paragraph("", f.STYLE_TABLE)

    def figure(self, caption: str, png: bytes, *, width_mm: float = 150) -> None:
        paragraph = self.document.add_paragraph(style=f.STYLE_CAPTION)
        # An exact line height would clip the picture to one line.
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        paragraph.paragraph_format.keep_with_next = True
        paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
        self.caption(caption, figure=True)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.core_properties.title = self.document.paragraphs[0].text
        self.document.save(buffer)
        return buffer.getvalue()


def cell_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _row(values, twips, *, left, header=False) -> str:
    properties = (
        "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"
        if header
        else "<w:trPr><w:cantSplit/></w:trPr>"
    )
    cells = []
    for index, (value, width) in enumerate(zip(values, twips, strict=True)):
        align = "left" if index in left else "center"
        bold = "<w:b/>" if header else ""
        font = f.HEADING1_FONT if header else f.BODY_FONT
        text = escape(cell_text(value))
        cells.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="TableText"/><w:jc w:val="{align}"/></w:pPr>'
            f'<w:r><w:rPr><w:rFonts w:ascii="{f.LATIN_FONT}" w:hAnsi="{f.LATIN_FONT}"'
            f' w:eastAsia="{font}"/>{bold}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'
            "</w:p></w:tc>"
        )
    return f"<w:tr>{properties}{''.join(cells)}</w:tr>"
