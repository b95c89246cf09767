"""The agencies' feedback sheets (第十二条(七)): each agency's scores, band and rank interval,
its dimensions beside its kind's average, the problems found with their evidence and the
rectification required with deadlines. One agency's sheet; all of them joined into one
document (docxcompose) or zipped as separate files."""

from __future__ import annotations

import io
import statistics
import zipfile
from collections import defaultdict

from survey.reports import wording as w
from survey.reports.facts import ReportFacts
from survey.reports.figures import profile_png, profile_pngs, profile_spec
from survey.reports.problems import problems_of
from survey.reports.writer import OfficialDocument
from survey.scores.exporting import band_label, kind_label
from survey.scores.words import not_rated_text

DIMENSIONS = ("comprehensiveness", "timeliness", "effectiveness", "cooperation")


def title(facts: ReportFacts) -> str:
    return f"{facts.year.year}年度机关职能运行监管评价结果反馈单"


def filename(facts: ReportFacts, agency: dict) -> str:
    return f"{facts.year.year}年度评价结果反馈单-{agency['name']}.docx"


class Sheets:
    """The figures every sheet compares with (each kind's averages and size), computed once."""

    def __init__(self, facts: ReportFacts):
        self.facts = facts
        by_kind = defaultdict(list)
        for agency in facts.agencies:
            by_kind[agency["kind"]].append(agency)
        self.kind_size = {kind: len(rows) for kind, rows in by_kind.items()}
        self.kind_ranked = {kind: sum(a["ranked"] for a in rows) for kind, rows in by_kind.items()}
        self.kind_mean = {
            (kind, d): _mean(
                a["dimensions"][d]["score"] for a in rows if a["dimensions"][d]["rated"]
            )
            for kind, rows in by_kind.items()
            for d in DIMENSIONS
        }
        self.profiles: dict[int, bytes] = {}

    def _spec(self, agency: dict) -> list[dict]:
        kind = agency["kind"]
        return profile_spec(agency, {d: self.kind_mean[(kind, d)] for d in DIMENSIONS})

    def draw_profiles(self, agencies: list[dict]) -> None:
        """Draw the profiles of many sheets at once (in worker processes)."""
        self.profiles.update(profile_pngs({a["agency_id"]: self._spec(a) for a in agencies}))

    def _profile(self, agency: dict) -> bytes:
        if agency["agency_id"] not in self.profiles:
            self.profiles[agency["agency_id"]] = profile_png(self._spec(agency))
        return self.profiles[agency["agency_id"]]

    def heading(self, agency: dict) -> dict:
        mark = "" if self.facts.is_final else w.DRAFT_MARK
        return {"title": title(self.facts), "mark": mark, "recipient": agency["name"]}

    def document(self, agency: dict) -> OfficialDocument:
        sheet = OfficialDocument(**self.heading(agency))
        self.write(sheet, agency)
        return sheet

    def write(self, sheet: OfficialDocument, agency: dict) -> None:
        """The sheet's text after its title block."""
        facts = self.facts
        sheet.paragraph(
            f"根据机关职能运行监管有关规定，现将你单位{facts.year.year}年度职能运行监管评价结果"
            f"（{facts.year.year}年度第{facts.run.number}次评分运行）反馈如下，请认真对照，抓好整改。"
        )
        self._result(sheet, agency)
        self._problems(sheet, agency)
        self._rectification(sheet, agency)
        sheet.signature(w.issuer(facts.jurisdiction), w.chinese_date(facts.today))

    def _result(self, sheet: OfficialDocument, agency: dict) -> None:
        kind = agency["kind"]
        sheet.heading1("一、评价结果")
        if agency["ranked"]:
            standing = (
                f"在{self.kind_ranked[kind]}个参与排名的{kind_label(kind)}中名列第{agency['rank']}名"
                f"（95%置信水平下名次区间为第{agency['rank_low']}至{agency['rank_high']}名），"
                f"等次为{band_label(agency)}。"
            )
        else:
            standing = "因部分维度证据不足、不予评定，本年度不参与排名和定等。"
        interval = (
            f"（95%区间{agency['composite_low']:.1f}–{agency['composite_high']:.1f}分）"
            if agency["composite_low"] is not None
            else ""
        )
        sheet.paragraph(f"你单位综合得分{w.score(agency['composite'])}分{interval}，" + standing)
        if agency["adjustment"]:
            sheet.paragraph(f"综合得分含加减分{agency['adjustment']:+.1f}分。")
        reasons = {entry["dimension"]: entry for entry in agency["not_rated"]}
        sheet.table(
            "各维度得分",
            ["维度", "得分", "95%区间", "同类单位平均分", "说明"],
            [
                [
                    w.DIMENSION_WORDS[d],
                    w.score(agency["dimensions"][d]["score"])
                    if agency["dimensions"][d]["rated"]
                    else "不予评定",
                    _interval(agency["dimensions"][d]),
                    w.score(self.kind_mean[(kind, d)]),
                    _reason(reasons.get(d)),
                ]
                for d in DIMENSIONS
            ],
            [2.4, 1.6, 2.4, 2.2, 4.4],
            left=(4,),
        )
        sheet.figure("本单位各维度得分与同类单位平均", self._profile(agency), width_mm=120)

    def _problems(self, sheet: OfficialDocument, agency: dict) -> None:
        sheet.heading1("二、存在的问题")
        found = problems_of(self.facts, agency)
        if not found:
            sheet.paragraph("对照评分结果和监管记录，未发现需要反馈的问题。")
        for index, problem in enumerate(found, start=1):
            sheet.paragraph(f"{problem.text}。（依据：{problem.evidence}）", lead=f"{index}. ")

    def _rectification(self, sheet: OfficialDocument, agency: dict) -> None:
        sheet.heading1("三、整改要求")
        items = [r for r in self.facts.rectifications if r.agency_id == agency["agency_id"]]
        if items:
            sheet.table(
                "整改事项和完成时限",
                ["整改事项", "整改要求", "完成时限", "状态"],
                [
                    [
                        item.title,
                        item.requirement,
                        item.due_on.isoformat(),
                        w.RECTIFICATION_STATE_WORDS.get(item.state, item.state)
                        + ("（已逾期）" if item.overdue else ""),
                    ]
                    for item in items
                ],
                [3.6, 5.6, 2.2, 2],
                left=(0, 1),
            )
        sheet.paragraph(
            "请你单位收到本反馈单后在系统中签收，对照上述问题逐项明确整改措施、责任人和时限，"
            "按期完成整改并报送整改情况；已交办的整改事项按所列时限办理。"
        )

    def build(self, agency: dict) -> bytes:
        return self.document(agency).to_bytes()


def composed(sheets: Sheets, agencies: list[dict]) -> bytes:
    """Every sheet in one document, each a section of its own: a new page, page numbers from
    1 again. Written straight into one document rather than joined afterwards (docxcompose
    took 15 s to append 100 sheets, merging styles and pictures sheet by sheet)."""
    document = sheets.document(agencies[0])
    for agency in agencies[1:]:
        document.next_document(**sheets.heading(agency))
        sheets.write(document, agency)
    return document.to_bytes()


def zipped(sheets: Sheets, agencies: list[dict], built: dict[int, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, agency in enumerate(agencies, start=1):
            data = (built or {}).get(agency["agency_id"]) or sheets.build(agency)
            archive.writestr(f"{number:03d}-{filename(sheets.facts, agency)}", data)
    return buffer.getvalue()


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.mean(values) if values else None


def _interval(dimension: dict) -> str:
    if not dimension["rated"] or dimension["ci_low"] is None:
        return "—"
    return f"{dimension['ci_low']:.1f}–{dimension['ci_high']:.1f}"


def _reason(entry: dict | None) -> str:
    return "" if entry is None else str(not_rated_text(entry)).split("：", 1)[-1].rstrip("。")
