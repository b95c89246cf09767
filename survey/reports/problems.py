"""The problems and weak points the records show (第十二条(六)(三)), one agency at a time, each
with the evidence it rests on: the report lists them by kind, an agency's feedback sheet lists
its own."""

from __future__ import annotations

from dataclasses import dataclass

from survey.reports import wording as w
from survey.reports.facts import ReportFacts
from survey.scores.words import not_rated_text

# In the report's order (三、存在问题和薄弱环节 (一)…(六)).
CATEGORIES = {
    "dimension": "部分单位履职维度得分偏低或证据不足",
    "target": "职能目标任务逾期或未完成",
    "finding": "职能履行存在越位、缺位、错位问题",
    "cooperation": "部门间协同配合不够",
    "participation": "社会评价参与不足",
    "rectification": "整改任务尚未完成",
}


@dataclass(frozen=True)
class Problem:
    category: str
    agency_id: int
    agency: str
    text: str
    evidence: str


def fair_line(facts: ReportFacts) -> float:
    return float(facts.document["engine"]["config"]["bands"]["fair"])


def problems_of(facts: ReportFacts, agency: dict) -> list[Problem]:
    run = f"{facts.year.year}年度第{facts.run.number}次评分运行"
    name, agency_id = agency["name"], agency["agency_id"]
    line = fair_line(facts)
    found: list[Problem] = []

    def add(category, text, evidence):
        found.append(Problem(category, agency_id, name, text, evidence))

    for dimension in ("comprehensiveness", "timeliness", "effectiveness"):
        value = agency["dimensions"][dimension]
        if value["rated"] and value["score"] is not None and value["score"] < line:
            add(
                "dimension",
                f"{w.DIMENSION_WORDS[dimension]}得分{w.score(value['score'])}分，低于“一般”等次"
                f"下限{line:g}分",
                run,
            )
    for entry in agency["not_rated"]:
        category = "participation" if entry["reason"] == "few_responses" else "dimension"
        add(category, _plain(not_rated_text(entry)), run)
    cooperation = agency["dimensions"]["cooperation"]
    if cooperation["rated"] and cooperation["score"] is not None and cooperation["score"] < line:
        add(
            "cooperation",
            f"履职配合度得分{w.score(cooperation['score'])}分，低于“一般”等次下限{line:g}分",
            f"{run}（基层部门、部门互评）",
        )
    for target in agency["sources"]["timeliness"].get("targets", []):
        if target["outcome"] == "late":
            add(
                "target",
                f"目标“{target['title']}”截止{target['deadline']}，逾期{target['days_late']}天完成",
                f"目标台账（完成日期{target['completed_on']}）",
            )
        elif target["outcome"] == "not_done":
            add(
                "target",
                f"目标“{target['title']}”截止{target['deadline']}，至{facts.run.as_of.isoformat()}"
                "仍未完成",
                "目标台账",
            )
    for finding in facts.findings:
        if finding.agency_id == agency_id:
            where = (
                f"{finding.visited_on.isoformat()}实地核查" if finding.visited_on else "核查记录"
            )
            add(
                "finding",
                f"{w.FINDING_WORDS[finding.kind]}（{w.SEVERITY_WORDS[finding.severity]}）："
                f"{finding.description.rstrip('。')}",
                where,
            )
    for item in facts.rectifications:
        if item.agency_id == agency_id:
            state = w.RECTIFICATION_STATE_WORDS.get(item.state, item.state)
            add(
                "rectification",
                f"整改事项“{item.title}”限{item.due_on.isoformat()}前完成，目前{state}"
                + ("，已逾期" if item.overdue else ""),
                "整改督办台账",
            )
    return found


def all_problems(facts: ReportFacts) -> list[Problem]:
    return [p for agency in facts.agencies for p in problems_of(facts, agency)]


def _plain(text: str) -> str:
    """A not-rated sentence without its final stop (it is joined into a longer one)."""
    return str(text).rstrip("。.")
