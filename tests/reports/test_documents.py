"""The built documents, opened with python-docx: the official format (page, margins, fonts of
body and headings, page numbers), the sections present, the tables' figures equal to the
run's, nothing left of the template's tags."""

from __future__ import annotations

import io
import zipfile

from docx.oxml.ns import qn
from docx.shared import Mm

from survey.reports import docxformat as f
from survey.reports.models import BuildKind
from tests.reports.conftest import (
    east_asian_font,
    feedback_builds,
    open_docx,
    report_build,
    stored,
    table_rows,
    xml_parts,
)

SECTIONS = (
    "一、组织实施基本情况",
    "二、职能运行状况分析",
    "三、存在问题和薄弱环节",
    "四、意见建议",
)


def all_text(document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def check_official_format(data: bytes) -> None:
    document = open_docx(data)
    section = document.sections[0]
    assert (section.page_width, section.page_height) == (f.PAGE_WIDTH * 635, f.PAGE_HEIGHT * 635)
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(
        0.5
    )
    margins = (section.top_margin, section.left_margin, section.bottom_margin, section.right_margin)
    for margin, mm in zip(margins, (37, 28, 35, 26), strict=True):
        assert abs(margin - Mm(mm)) < Mm(0.1)
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579" and grid.get(qn("w:type")) == "lines"
    parts = xml_parts(data)
    assert "<w:evenAndOddHeaders" in parts["word/settings.xml"]
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "— " in xml and " —" in xml
    assert 'w:jc w:val="right"' in section.footer._element.xml
    assert 'w:jc w:val="left"' in section.even_page_footer._element.xml
    for name, xml in parts.items():
        assert "eastAsiaTheme" not in xml, name  # it would win over the named font
    # Every run of every paragraph and table cell names its East Asian font, and it is the
    # font of its style (仿宋 for the body, 黑体 / 楷体 for the headings, 小标宋 for the title).
    styles = {
        f.STYLE_BODY: f.BODY_FONT,
        f.STYLE_TITLE: f.TITLE_FONT,
        f.STYLE_HEADING1: f.HEADING1_FONT,
        f.STYLE_HEADING2: f.HEADING2_FONT,
        f.STYLE_SIGNATURE: f.BODY_FONT,
    }
    seen = set()
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if run.text.strip():
                font = east_asian_font(run._r)
                assert font, (paragraph.text, "no w:eastAsia")
                if paragraph.style.name in styles:
                    assert font == styles[paragraph.style.name], (paragraph.text, font)
                    seen.add(paragraph.style.name)
    assert {f.STYLE_BODY, f.STYLE_TITLE, f.STYLE_HEADING1} <= seen
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        assert east_asian_font(run._r) in (f.BODY_FONT, f.HEADING1_FONT)
    for style_name, font in styles.items():
        style = document.styles[style_name]
        while east_asian_font(style.element) is None:  # inherited from its base style
            style = style.base_style
        assert east_asian_font(style.element) == font
    assert document.styles[f.STYLE_BODY].font.size.pt == 16  # 3号
    assert document.styles[f.STYLE_TITLE].font.size.pt == 22  # 2号
    text = all_text(document)
    assert "{{" not in text and "{%" not in text and "}}" not in text


def test_the_report_is_in_the_official_format_with_its_four_sections(app, db_session, world, run):
    build, data = report_build(app, db_session, world, run)
    check_official_format(data)
    document = open_docx(data)
    headings = [p.text for p in document.paragraphs if p.style.name == f.STYLE_HEADING1]
    assert headings == list(SECTIONS)
    assert document.paragraphs[0].text == "测试市2026年度机关职能运行监管情况报告"
    assert document.paragraphs[1].text == "（征求意见稿）"  # the run is not final
    assert build.draft
    text = all_text(document)
    # The 意见建议 as written, its （一） lines as subheadings.
    subheadings = [p.text for p in document.paragraphs if p.style.name == f.STYLE_HEADING2]
    assert "（一）加强职能目标管理" in subheadings and "（二）强化评价结果运用" in subheadings
    assert "各单位要对照年度目标逐项明确责任和时限。" in text
    # The problems drafted from the records, each with its evidence.
    assert "目标“逾期完成”截止2026-06-30，逾期10天完成" in text
    assert "目标“未完成”截止2026-09-30，至2026-12-01仍未完成" in text
    assert "缺位（一般）：监管缺位" in text
    assert "履职全面度：不予评定" in text  # agency B, without targets
    assert document.paragraphs[-1].text == "2026年12月1日"
    assert document.paragraphs[-2].text == "中共测试市委机构编制委员会办公室"
    # 署名 and 成文日期 never stand alone on a page: they keep with the text before them.
    assert all(p.paragraph_format.keep_with_next for p in document.paragraphs[-4:-1])


def test_the_report_tables_are_the_runs_figures(app, db_session, world, run):
    _, data = report_build(app, db_session, world, run)
    document = open_docx(data)
    results = {r.agency.name: r for r in run.agency_results}
    ranking = next(
        t for t in document.tables if table_rows(t)[0][:3] == ["单位", "类别", "综合得分"]
    )
    rows = table_rows(ranking)[1:]
    assert [row[0] for row in rows] == [world.agency_a.name, world.agency_b.name]
    for row in rows:
        result = results[row[0]]
        assert row[2] == f"{result.composite:.1f}"
        assert row[3] == f"{result.composite_low:.1f}–{result.composite_high:.1f}"
        assert row[4] == (str(result.rank) if result.ranked else "—")
    assert rows[1][6] == "不参加排名"  # agency B: not ranked, no band
    dimensions = next(t for t in document.tables if table_rows(t)[0][0] == "维度")
    by_name = {row[0]: row for row in table_rows(dimensions)[1:]}
    effectiveness = [r.effectiveness for r in run.agency_results if r.effectiveness is not None]
    assert by_name["履职成效度"][3] == f"{sum(effectiveness) / len(effectiveness):.1f}"
    assert by_name["履职全面度"][6] == "1"  # agency B is not rated on it
    bands = next(t for t in document.tables if table_rows(t)[0][0] == "等次")
    counted = {row[0]: row[1] for row in table_rows(bands)[1:]}
    assert counted["不参与定等"] == str(sum(not r.ranked for r in run.agency_results))


def test_a_feedback_sheet_has_its_agencys_results_problems_and_rectification(
    app, db_session, world, run
):
    builds = feedback_builds(app, db_session, world, run, agency_id=world.agency_a.id)
    (sheet,) = builds.sheets
    assert builds.composed is None and sheet.agency_id == world.agency_a.id
    data = stored(app, sheet)
    check_official_format(data)
    document = open_docx(data)
    text = all_text(document)
    assert document.paragraphs[0].text == "2026年度机关职能运行监管评价结果反馈单"
    assert f"{world.agency_a.name}：" in [p.text for p in document.paragraphs]  # 主送机关
    result = next(r for r in run.agency_results if r.agency_id == world.agency_a.id)
    assert f"你单位综合得分{result.composite:.1f}分" in text
    assert f"名列第{result.rank}名" in text
    profile = next(t for t in document.tables if table_rows(t)[0][0] == "维度")
    rows = {row[0]: row for row in table_rows(profile)[1:]}
    assert rows["履职时效度"][1] == f"{result.timeliness:.1f}"
    assert "逾期10天完成" in text and "缺位（一般）：监管缺位" in text
    assert [p.text for p in document.paragraphs if p.style.name == f.STYLE_HEADING1] == [
        "一、评价结果",
        "二、存在的问题",
        "三、整改要求",
    ]


def test_all_sheets_as_one_document_and_as_a_zip(app, db_session, world, run):
    builds = feedback_builds(app, db_session, world, run)
    assert len(builds.sheets) == 2
    assert builds.composed.kind is BuildKind.feedback_all
    composed = open_docx(stored(app, builds.composed))
    recipients = [p.text for p in composed.paragraphs if p.text.endswith("局：")]
    assert recipients == [f"{world.agency_a.name}：", f"{world.agency_b.name}："]
    assert all_text(composed).count("三、整改要求") == 2
    # Each sheet its own section, on a new page, numbered from 1 again.
    assert len(composed.sections) == 2
    restart = composed.sections[1]._sectPr.find(qn("w:pgNumType"))
    assert restart is not None and restart.get(qn("w:start")) == "1"
    captions = [p.text for p in composed.paragraphs if p.text.startswith("表1")]
    assert len(captions) == 2  # tables numbered per sheet
    with zipfile.ZipFile(io.BytesIO(stored(app, builds.zipped))) as archive:
        names = archive.namelist()
        assert len(names) == 2 and all(n.endswith(".docx") for n in names)
        one = {n: archive.read(n) for n in names}
    # The zip holds exactly the stored single sheets.
    assert sorted(one.values()) == sorted(stored(app, s) for s in builds.sheets)


def test_charts_are_embedded_as_print_resolution_png_never_svg(app, db_session, world, run):
    _, report = report_build(app, db_session, world, run)
    sheet = stored(app, feedback_builds(app, db_session, world, run, world.agency_a.id).sheets[0])
    for data, least in ((report, 2), (sheet, 1)):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            media = [n for n in archive.namelist() if n.startswith("word/media/")]
            assert len(media) >= least and all(n.endswith(".png") for n in media)
            assert not any(n.endswith(".svg") for n in archive.namelist())
            png = archive.read(media[0])
        assert png.startswith(b"\x89PNG")
        width = int.from_bytes(png[16:20], "big")
        assert width >= 700  # ≥ 150 px per inch at the printed width
    captions = [p.text for p in open_docx(report).paragraphs if p.text.startswith("图")]
    assert captions[0] == "图1\u3000综合得分分布" and "图2\u3000四个维度平均得分" in captions
