"""The yearly supervision report (第十二条(六)): 一、组织实施基本情况, 二、职能运行状况分析,
三、存在问题和薄弱环节, 四、意见建议 — its tables equal to the run's figures, its paragraphs
drafted from them, the 意见建议 as the supervisor wrote them."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict

from survey.reports import wording as w
from survey.reports.facts import ReportFacts
from survey.reports.figures import report_figures
from survey.reports.problems import CATEGORIES, all_problems
from survey.reports.writer import OfficialDocument
from survey.scores.exporting import band_label, kind_label, ordered

DIMENSIONS = ("comprehensiveness", "timeliness", "effectiveness", "cooperation")
# Problems listed by name in the report, per kind; the rest are counted (every agency's own
# are on its feedback sheet).
LISTED = 12


def title(facts: ReportFacts) -> str:
    return f"{facts.jurisdiction}{facts.year.year}年度机关职能运行监管情况报告"


def build(facts: ReportFacts, advice: str) -> bytes:
    document = OfficialDocument(title=title(facts), mark="" if facts.is_final else w.DRAFT_MARK)
    _organisation(document, facts)
    _analysis(document, facts)
    _problems(document, facts)
    _advice(document, advice)
    document.signature(w.issuer(facts.jurisdiction), w.chinese_date(facts.today))
    return document.to_bytes()


def _config(facts: ReportFacts) -> dict:
    return facts.document["engine"]["config"]


# 一、组织实施基本情况 ------------------------------------------------------------------


def _organisation(document: OfficialDocument, facts: ReportFacts) -> None:
    config = _config(facts)
    weights, bands = config["dimension_weights"], config["bands"]
    agencies = facts.agencies
    document.heading1("一、组织实施基本情况")
    document.heading2("（一）评价安排")
    document.paragraph(
        f"{facts.year.year}年，{w.issuer(facts.jurisdiction)}对{facts.jurisdiction}"
        f"{len(agencies)}个机关单位的职能运行情况开展监管评价。综合得分由"
        + "、".join(f"{w.DIMENSION_WORDS[d]}（权重{w.weight(weights[d])}）" for d in DIMENSIONS)
        + f"加权计算，加减分另计；综合得分{bands['excellent']:g}分以上为优秀、"
        f"{bands['good']:g}分以上为良好、{bands['fair']:g}分以上为一般，其余为较差。"
        "等次按得分的置信区间判定，区间跨越等次界限的单位列为“临界”，不强行定等。"
    )
    minimum = {g: config["groups"][g]["min_n"] for g in w.GROUP_WORDS if g in config["groups"]}
    document.paragraph(
        "社会评价按评价群体分别计分，一个群体对一个单位的有效问卷达到最低数量方予采用（"
        + "、".join(f"{w.GROUP_WORDS[g]}{n}份" for g, n in minimum.items())
        + "）；某一维度没有任何群体达到最低数量，或单位没有经审核的职能目标的，该维度不予评定，"
        "该单位不参与排名和定等。"
    )
    run = facts.run
    document.paragraph(
        f"本报告数据取自{facts.year.year}年度第{run.number}次评分运行"
        f"（{w.chinese_date(run.created_at.date())}计算，时限判定截至"
        f"{w.chinese_date(run.as_of)}，结果校验码{run.result_checksum[:16]}）"
        + (
            "，该次运行已确定为本年度最终结果。"
            if facts.is_final
            else "，该次运行尚未确定为最终结果，本稿为征求意见稿。"
        )
    )

    document.heading2("（二）社会评价组织情况")
    campaigns = facts.campaigns
    received = sum(c.received for c in campaigns)
    valid = sum(c.valid for c in campaigns)
    document.paragraph(
        f"全年开展问卷调查{len(campaigns)}项，覆盖"
        + "、".join(dict.fromkeys(w.GROUP_WORDS.get(c.group, c.group) for c in campaigns))
        + f"等评价群体，共回收问卷{received}份，经作答时长、重复提交、诱饵题等质量检查后有效问卷"
        f"{valid}份，有效率{w.percent(valid / received if received else None)}。"
        if campaigns
        else "本年度未开展问卷调查。"
    )
    if campaigns:
        document.table(
            "社会评价问卷调查实施情况",
            ["调查名称", "评价群体", "调查时间", "回收问卷", "有效问卷", "回收率"],
            [
                [
                    c.title,
                    w.GROUP_WORDS.get(c.group, c.group),
                    f"{c.opens:%m.%d}–{c.closes:%m.%d}",
                    c.received,
                    c.valid,
                    w.percent(c.rate) if c.invited else "公开链接",
                ]
                for c in campaigns
            ],
            [5, 2.4, 2.6, 1.6, 1.6, 1.8],
            left=(0,),
            note="注：回收率为已使用的邀请码占发放邀请码的比例；公开链接调查无发放数，不计回收率。",
        )

    document.heading2("（三）职能目标设定和审核情况")
    sets = facts.target_sets
    counts = run.input_counts
    submitted = sum(sets.values()) - sets.get("draft", 0)
    document.paragraph(
        f"各单位报送年度职能目标{submitted}份，审核通过{sets.get('approved', 0)}份，"
        f"退回修改{sets.get('returned', 0)}份，待审核{sets.get('submitted', 0)}份；"
        f"纳入评分的经审核目标{counts.get('approved_targets', 0)}项，涉及"
        f"{counts.get('agencies_with_approved_targets', 0)}个单位，其中"
        f"{counts.get('self_assessed_targets', 0)}项目标完成了自评。"
        + (
            f"{len(agencies) - counts.get('agencies_with_approved_targets', 0)}个单位没有经审核的"
            "职能目标，其履职全面度、履职时效度不予评定。"
            if len(agencies) > counts.get("agencies_with_approved_targets", 0)
            else ""
        )
    )

    document.heading2("（四）实地核查情况")
    kinds = Counter(f.kind for f in facts.findings)
    document.paragraph(
        f"全年开展实地核查{facts.visits}次，覆盖{facts.visited_agencies}个单位；"
        f"记录职责履行问题{len(facts.findings)}项，其中"
        + "、".join(f"{word}{kinds.get(kind, 0)}项" for kind, word in w.FINDING_WORDS.items())
        + "。"
    )


# 二、职能运行状况分析 ----------------------------------------------------------------


def _analysis(document: OfficialDocument, facts: ReportFacts) -> None:
    agencies = facts.agencies
    ranked = [a for a in agencies if a["ranked"]]
    composites = [a["composite"] for a in agencies if a["composite"] is not None]
    bands = Counter(a["band"] for a in ranked if a["band"])
    borderline = sum(1 for a in ranked if a["band"] is None or a["borderline"])
    figures = report_figures(facts)

    document.heading1("二、职能运行状况分析")
    document.heading2("（一）总体情况")
    if composites:
        best = max(
            (a for a in agencies if a["composite"] is not None), key=lambda a: a["composite"]
        )
        worst = min(
            (a for a in agencies if a["composite"] is not None), key=lambda a: a["composite"]
        )
        spread = statistics.pstdev(composites) if len(composites) > 1 else 0.0
        document.paragraph(
            f"参评的{len(agencies)}个单位中，{len(ranked)}个单位各维度证据充足，参与排名和定等；"
            f"{len(agencies) - len(ranked)}个单位有维度不予评定，只列得分、不排名次。"
            f"综合得分平均{statistics.mean(composites):.1f}分，中位数"
            f"{statistics.median(composites):.1f}分，标准差{spread:.1f}分；最高{best['composite']:.1f}分"
            f"（{best['name']}），最低{worst['composite']:.1f}分（{worst['name']}）。"
            f"评定优秀{bands.get('excellent', 0)}个、良好{bands.get('good', 0)}个、"
            f"一般{bands.get('fair', 0)}个、较差{bands.get('poor', 0)}个，"
            f"另有{borderline}个单位得分区间跨越等次界限，列为临界。"
        )
    document.table(
        "参评单位等次分布",
        ["等次", "单位数", "占参与定等单位比例"],
        [
            [
                word,
                bands.get(band, 0),
                w.percent(bands.get(band, 0) / len(ranked) if ranked else None),
            ]
            for band, word in w.BAND_WORDS.items()
        ]
        + [
            [
                "临界（区间跨越等次界限）",
                borderline,
                w.percent(borderline / len(ranked) if ranked else None),
            ],
            ["不参与定等", len(agencies) - len(ranked), "—"],
        ],
        [4, 2, 3],
        left=(0,),
        note="注：临界单位中标注“（临界）”的，按点估计定等但区间跨越界限；只标“临界（甲/乙）”的不定等。",
    )
    for caption, png in figures["overview"]:
        document.figure(caption, png)

    document.heading2("（二）分类排名情况")
    document.paragraph(
        "各单位在同类单位中排名。因问卷样本有限，名次以区间表示（95%置信水平），"
        "区间重叠的单位之间差异并不显著，不宜简单比较先后。"
    )
    document.table(
        "各单位综合得分、名次区间和等次",
        ["单位", "类别", "综合得分", "95%区间", "名次", "名次区间", "等次"],
        [
            [
                a["name"],
                kind_label(a["kind"]),
                w.score(a["composite"]),
                f"{a['composite_low']:.1f}–{a['composite_high']:.1f}"
                if a["composite_low"] is not None
                else "—",
                a["rank"] if a["ranked"] else "—",
                f"{a['rank_low']}–{a['rank_high']}" if a["ranked"] else "—",
                str(band_label(a)),
            ]
            for a in ordered(agencies)
        ],
        [4.6, 2.2, 1.7, 3.0, 1.2, 1.8, 2.6],
        left=(0,),
    )
    for caption, png in figures["ranking"]:
        document.figure(caption, png)

    document.heading2("（三）四个维度情况")
    stats = _dimension_stats(agencies)
    rated = [(d, s) for d, s in stats.items() if s["mean"] is not None]
    if rated:
        strongest = max(rated, key=lambda item: item[1]["mean"])
        weakest = min(rated, key=lambda item: item[1]["mean"])
        document.paragraph(
            "从四个维度看，"
            + "，".join(f"{w.DIMENSION_WORDS[d]}平均{s['mean']:.1f}分" for d, s in rated)
            + f"。{w.DIMENSION_WORDS[strongest[0]]}表现最好，"
            f"{w.DIMENSION_WORDS[weakest[0]]}相对薄弱，最低的单位仅{weakest[1]['low']:.1f}分。"
        )
    weights = _config(facts)["dimension_weights"]
    document.table(
        "四个维度得分情况",
        ["维度", "权重", "评定单位数", "平均分", "最高分", "最低分", "不予评定"],
        [
            [
                w.DIMENSION_WORDS[d],
                w.weight(weights[d]),
                s["rated"],
                w.score(s["mean"]),
                w.score(s["high"]),
                w.score(s["low"]),
                s["not_rated"],
            ]
            for d, s in stats.items()
        ],
        [2.6, 1.4, 1.8, 1.6, 1.6, 1.6, 1.8],
    )
    for caption, png in figures["dimensions"]:
        document.figure(caption, png, width_mm=130)

    document.heading2("（四）各评价群体情况")
    groups = _group_stats(facts)
    if groups:
        document.paragraph(
            "各评价群体有效问卷和评分情况见下表。"
            + "，".join(
                f"{w.GROUP_WORDS[g]}对履职成效度的平均评分为{s['effectiveness']:.1f}分"
                for g, s in groups.items()
                if s["effectiveness"] is not None
            )
            + "。"
        )
        document.table(
            "各评价群体问卷和评分情况",
            ["评价群体", "收到问卷", "有效问卷", "剔除问卷", "成效度平均分", "配合度平均分"],
            [
                [
                    w.GROUP_WORDS[g],
                    s["received"],
                    s["used"],
                    s["excluded"],
                    w.score(s["effectiveness"]),
                    w.score(s["cooperation"]),
                ]
                for g, s in groups.items()
            ],
            [2.6, 1.6, 1.6, 1.6, 2, 2],
            note="注：平均分为该群体对各单位评分的简单平均；剔除问卷指作答过快、诱饵题作答等经复核仍不采用的问卷。",
        )

    document.heading2("（五）与上年度比较")
    document.paragraph(_since_last_year(facts))


def _dimension_stats(agencies: list[dict]) -> dict[str, dict]:
    out = {}
    for d in DIMENSIONS:
        values = [
            a["dimensions"][d]["score"]
            for a in agencies
            if a["dimensions"][d]["rated"] and a["dimensions"][d]["score"] is not None
        ]
        out[d] = {
            "rated": len(values),
            "mean": statistics.mean(values) if values else None,
            "high": max(values) if values else None,
            "low": min(values) if values else None,
            "not_rated": sum(1 for a in agencies if not a["dimensions"][d]["rated"]),
        }
    return out


def _group_stats(facts: ReportFacts) -> dict[str, dict]:
    tables = facts.document["engine"]["tables"]
    cells = defaultdict(list)
    for cell in tables.get("cells", []):
        if cell.get("score") is not None:
            cells[(cell["group"], cell["dimension"])].append(cell["score"])
    out = {}
    for row in tables.get("responses", []):
        group = row["group"]
        if group not in w.GROUP_WORDS:
            continue
        out[group] = {
            "received": row["received"],
            "used": row["used"],
            "excluded": row["excluded"],
            **{
                d: statistics.mean(cells[(group, d)]) if cells[(group, d)] else None
                for d in ("effectiveness", "cooperation")
            },
        }
    return out


def _since_last_year(facts: ReportFacts) -> str:
    if facts.previous is None:
        return "上年度没有确定的评价结果，本年度为首次评价，暂无同口径比较。"
    before = {a["agency_id"]: a for a in facts.previous["agencies"]}
    pairs = [
        (a, before[a["agency_id"]])
        for a in facts.agencies
        if a["agency_id"] in before
        and a["composite"] is not None
        and before[a["agency_id"]]["composite"] is not None
    ]
    if not pairs:
        return "上年度参评单位与本年度没有可比的单位。"
    changes = sorted(((a["composite"] - b["composite"], a["name"]) for a, b in pairs), reverse=True)
    mean_change = statistics.mean(c for c, _ in changes)
    up = sum(1 for c, _ in changes if c > 0)
    text = (
        f"与上年度相比，{len(pairs)}个可比单位综合得分平均"
        f"{'提高' if mean_change >= 0 else '下降'}{abs(mean_change):.1f}分，{up}个单位得分提高、"
        f"{len(pairs) - up}个单位得分持平或下降。"
    )
    if changes[0][0] > 0:
        text += f"提高最多的是{changes[0][1]}（{changes[0][0]:+.1f}分）"
    if changes[-1][0] < 0:
        text += f"，下降最多的是{changes[-1][1]}（{changes[-1][0]:+.1f}分）"
    return text + "。"


# 三、存在问题和薄弱环节 --------------------------------------------------------------


def _problems(document: OfficialDocument, facts: ReportFacts) -> None:
    document.heading1("三、存在问题和薄弱环节")
    found = all_problems(facts)
    by_category = defaultdict(list)
    for problem in found:
        by_category[problem.category].append(problem)
    document.paragraph(
        f"对照评分结果和监管记录，共梳理出问题{len(found)}项，涉及"
        f"{len({p.agency_id for p in found})}个单位，主要有以下几个方面（各单位的具体问题见其"
        "评价结果反馈单）。"
        if found
        else "对照评分结果和监管记录，本年度未发现需要列出的问题。"
    )
    for number, (category, heading) in enumerate(CATEGORIES.items(), start=1):
        document.heading2(f"（{w.numeral(number)}）{heading}")
        items = by_category.get(category, [])
        if not items:
            document.paragraph("经核对，未发现此类问题。")
            continue
        agencies = list(dict.fromkeys(p.agency for p in items))
        document.paragraph(f"共{len(items)}项，涉及{w.listing(agencies)}。")
        for index, problem in enumerate(items[:LISTED], start=1):
            document.paragraph(
                f"{problem.text}。（依据：{problem.evidence}）", lead=f"{index}. {problem.agency}："
            )
        if len(items) > LISTED:
            document.paragraph(f"另有{len(items) - LISTED}项，见各单位评价结果反馈单。")


# 四、意见建议 ------------------------------------------------------------------------

SUBHEADING = re.compile(r"^（[一二三四五六七八九十]+）")


def _advice(document: OfficialDocument, advice: str) -> None:
    document.heading1("四、意见建议")
    for line in (line.strip() for line in advice.splitlines()):
        if not line:
            continue
        if SUBHEADING.match(line):
            document.heading2(line)
        else:
            document.paragraph(line)
