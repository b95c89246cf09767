"""Build the committed template ``official.docx`` (run ``python -m survey.reports.make_template``
after changing the format; the file is committed so every build uses the same bytes).

python-docx's own default template is US Letter and en-US, with ``eastAsiaTheme`` in about 70
style font entries: this script takes it only as a starting point, then sets A4 and the
margins, the 22-line grid, our styles with their East Asian fonts (theme attributes removed
everywhere), the Chinese language, and footers with ``PAGE`` fields — "— 1 —" in 4号 宋体, odd
pages at the right, even pages at the left, one character in (``w:evenAndOddHeaders``)."""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor, Twips

from survey.reports import docxformat as f

TEMPLATE = Path(__file__).with_name("official.docx")
ONE_CHAR = Twips(f.PAGE_NUMBER_PT * 20)  # one 4号 character


def _strip_themes(root) -> None:
    """No font of any style may come from the theme: Chinese would fall back to it."""
    for fonts in root.iter(qn("w:rFonts")):
        had_east_asian_theme = fonts.get(qn("w:eastAsiaTheme")) is not None
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        if had_east_asian_theme and fonts.get(qn("w:eastAsia")) is None:
            fonts.set(qn("w:eastAsia"), f.BODY_FONT)
    for color in root.iter(qn("w:color")):
        for theme in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(theme), None)
        color.set(qn("w:val"), "000000")


def _defaults(document) -> None:
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    f.set_fonts(r_pr, f.BODY_FONT, f.LATIN_FONT)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def _paragraph_style(document, name, *, based_on=None):
    styles = document.styles
    try:
        style = styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if based_on is not None:
        style.base_style = styles[based_on]
    return style


def _char_indent(style, *, first_chars=0, left_chars=0, right_chars=0, size_pt=f.BODY_PT):
    """Indents counted in characters (``w:firstLineChars`` etc.), with the twips Word wants
    beside them for readers that ignore the character count."""
    p_pr = style.element.get_or_add_pPr()
    ind = p_pr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        p_pr.append(ind)
    for key, chars in (("firstLine", first_chars), ("left", left_chars), ("right", right_chars)):
        ind.set(qn(f"w:{key}Chars"), str(chars * 100))
        ind.set(qn(f"w:{key}"), str(chars * size_pt * 20))


def _no_grid(style) -> None:
    """Lines of this style keep their own spacing instead of the page's 22-line grid."""
    p_pr = style.element.get_or_add_pPr()
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    p_pr.append(snap)


def _text(style, font, size_pt, *, bold=False, latin=f.LATIN_FONT) -> None:
    style.font.size = Pt(size_pt)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    f.set_fonts(style.element.get_or_add_rPr(), font, latin)
    size_cs = style.element.get_or_add_rPr().find(qn("w:szCs"))
    if size_cs is None:
        size_cs = OxmlElement("w:szCs")
        style.element.get_or_add_rPr().append(size_cs)
    size_cs.set(qn("w:val"), str(size_pt * 2))


def _spacing(style, *, exact_twips=f.LINE_PITCH, before=0, after=0) -> None:
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Twips(exact_twips)
    fmt.space_before = Twips(before)
    fmt.space_after = Twips(after)
    fmt.widow_control = True


def _styles(document) -> None:
    body = _paragraph_style(document, f.STYLE_BODY)
    _text(body, f.BODY_FONT, f.BODY_PT)
    _spacing(body)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _char_indent(body, first_chars=2)

    title = _paragraph_style(document, f.STYLE_TITLE, based_on=f.STYLE_BODY)
    _text(title, f.TITLE_FONT, f.TITLE_PT, latin=f.TITLE_FONT)
    _spacing(title, exact_twips=int(f.LINE_PITCH * 1.2))
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _char_indent(title)
    title.paragraph_format.keep_with_next = True
    p_pr = title.element.get_or_add_pPr()
    for border in p_pr.findall(qn("w:pBdr")):  # the default Title has a rule under it
        p_pr.remove(border)

    for name, font in (
        (f.STYLE_HEADING1, f.HEADING1_FONT),
        (f.STYLE_HEADING2, f.HEADING2_FONT),
        (f.STYLE_HEADING3, f.BODY_FONT),
    ):
        heading = _paragraph_style(document, name, based_on=f.STYLE_BODY)
        _text(heading, font, f.BODY_PT)
        _spacing(heading)
        _char_indent(heading, first_chars=2)
        heading.paragraph_format.keep_with_next = True
        heading.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    note = _paragraph_style(document, f.STYLE_NOTE, based_on=f.STYLE_BODY)
    _text(note, f.HEADING2_FONT, f.BODY_PT)
    note.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _char_indent(note)

    table = _paragraph_style(document, f.STYLE_TABLE, based_on=f.STYLE_BODY)
    _text(table, f.BODY_FONT, f.TABLE_PT)
    _spacing(table, exact_twips=f.TABLE_PT * 20 + 80)
    table.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _char_indent(table, size_pt=f.TABLE_PT)
    _no_grid(table)

    caption = _paragraph_style(document, f.STYLE_CAPTION, based_on=f.STYLE_BODY)
    _text(caption, f.HEADING1_FONT, f.CAPTION_PT)
    _spacing(caption, exact_twips=f.CAPTION_PT * 20 + 160, before=120, after=60)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True
    _char_indent(caption, size_pt=f.CAPTION_PT)
    _no_grid(caption)

    signature = _paragraph_style(document, f.STYLE_SIGNATURE, based_on=f.STYLE_BODY)
    signature.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _char_indent(signature, right_chars=4)

    footer = _paragraph_style(document, f.STYLE_FOOTER)
    _text(footer, f.PAGE_NUMBER_FONT, f.PAGE_NUMBER_PT, latin=f.PAGE_NUMBER_FONT)
    _spacing(footer, exact_twips=f.PAGE_NUMBER_PT * 20 + 60)
    _no_grid(footer)


# The styles the documents use, and the defaults Word needs; python-docx's other 150 styles
# would slow every build (docxcompose merges styles sheet by sheet) and carry theme fonts.
KEPT_STYLES = {
    "Normal",
    "Title",
    "Heading1",
    "Heading2",
    "Heading3",
    "TableText",
    "Caption",
    "Signature",
    "Footer",
    "NoteText",
    "TableGrid",
    "TableNormal",
    "DefaultParagraphFont",
    "NoList",
}


def _keep_used_styles(document) -> None:
    styles = document.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEPT_STYLES:
            styles.remove(style)
            continue
        for reference in ("w:link", "w:next"):
            for element in style.findall(qn(reference)):
                if element.get(qn("w:val")) not in KEPT_STYLES:
                    style.remove(element)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)


def _page_number(paragraph) -> None:
    """ "— N —" with N a PAGE field (python-docx has no field API)."""

    def run_with(child=None, text=None):
        run = paragraph.add_run(text)
        f.font_run(run, f.PAGE_NUMBER_FONT, f.PAGE_NUMBER_FONT)
        if child is not None:
            run._r.append(child)
        return run

    def field_char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    run_with(text="— ")
    run_with(field_char("begin"))
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run_with(instruction)
    run_with(field_char("separate"))
    run_with(text="1")
    run_with(field_char("end"))
    run_with(text=" —")


def _section(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Twips(f.PAGE_WIDTH), Twips(f.PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = Twips(f.MARGIN_TOP), Twips(f.MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Twips(f.MARGIN_LEFT), Twips(f.MARGIN_RIGHT)
    section.header_distance = Twips(851)  # 15 mm
    # The page number's dash sits about 7 mm below the text block.
    section.footer_distance = Twips(1247)
    sect_pr = section._sectPr
    for grid in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(grid)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(f.LINE_PITCH))
    sect_pr.append(grid)
    document.settings.odd_and_even_pages_header_footer = True
    for footer, alignment, side in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.style = document.styles[f.STYLE_FOOTER]
        paragraph.alignment = alignment
        if side == "right":
            paragraph.paragraph_format.right_indent = ONE_CHAR
        else:
            paragraph.paragraph_format.left_indent = ONE_CHAR
        _page_number(paragraph)


def _body(document) -> None:
    """The tags docxtpl fills (the title block); the builder appends the 主送机关 and the text
    after them."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    document.add_paragraph("{{ title }}", style=f.STYLE_TITLE)
    document.add_paragraph("{%p if mark %}", style=f.STYLE_NOTE)
    document.add_paragraph("{{ mark }}", style=f.STYLE_NOTE)
    document.add_paragraph("{%p endif %}", style=f.STYLE_NOTE)
    document.add_paragraph("", style=f.STYLE_BODY)  # the blank line under the title block
    for paragraph in document.paragraphs:
        f.fix_runs([paragraph], f.FONT_OF_STYLE[paragraph.style.name])


def _drop_default_parts(document) -> None:
    """The default's thumbnail (a picture of a US Letter page) and its Word 2010 copy of the
    styles (with the theme fonts) are not ours."""
    package_rels = document.part.package.rels
    for key, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package_rels[key]
    part_rels = document.part.rels
    for key, rel in list(part_rels.items()):
        if rel.reltype.endswith("/stylesWithEffects") or rel.reltype.endswith("/customXml"):
            del part_rels[key]


def build(path: Path = TEMPLATE) -> Path:
    document = Document()
    _drop_default_parts(document)
    _defaults(document)
    _styles(document)
    _strip_themes(document.styles.element)
    _keep_used_styles(document)
    _section(document)
    _body(document)
    properties = document.core_properties
    properties.author = properties.last_modified_by = ""
    properties.title = "党政机关公文格式模板（GB/T 9704-2012）"
    properties.language = "zh-CN"
    properties.revision = 1
    document.save(path)
    return path


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE))  # noqa: T201
