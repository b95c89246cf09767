"""The evaluation standards applied (第八条): targets → 履职时效度, coverage and findings →
履职全面度, the verified self-assessment and imported scores → parts of 履职成效度, and
加减分 items → the composite's adjustment. Pure functions over plain rows (no database),
each returning its score with the detail that explains it; ``None`` means not rated.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from survey.assessment.inputs import LATE, NOT_DONE, ON_TIME, TimelinessRow

# Reasons an agency is not rated on a dimension (rendered in words by survey.scores.words).
NO_APPROVED_TARGETS = "no_approved_targets"
NO_TARGET_DUE = "no_target_due"
FEW_RESPONSES = "few_responses"


@dataclass(frozen=True)
class SelfRow:
    """One target's self-assessment as submitted, and the supervisor's latest adjustment."""

    agency_id: int
    target_id: int
    title: str
    category: str | None
    self_score: float
    adjusted_score: float | None


@dataclass(frozen=True)
class ItemRow:
    """One 加减分 item (or the reversal of one)."""

    id: int
    agency_id: int
    points: float
    reason: str
    basis: str
    approved_by: str
    reverses_id: int | None


def target_weight(category: str | None, standards: dict) -> float:
    if standards["target_weighting"] != "category" or category is None:
        return 1.0
    return float(standards["category_weights"][category])


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(weight for _, weight in pairs)
    if total <= 0:
        return None
    return sum(value * weight for value, weight in pairs) / total


def target_score(row: TimelinessRow, standards: dict) -> float | None:
    """100 on time; late: 100 − per-day deduction × days, not below the floor; not done by
    the deadline: the not-done score; not yet due (open): left out (None)."""
    if row.outcome == ON_TIME:
        return 100.0
    if row.outcome == LATE:
        late = 100.0 - float(standards["late_deduction_per_day"]) * row.days_late
        return max(float(standards["late_floor"]), late)
    if row.outcome == NOT_DONE:
        return float(standards["not_done_score"])
    return None


def timeliness(rows: Iterable[TimelinessRow], standards: dict) -> tuple[float | None, dict]:
    """An agency's 履职时效度 from its approved targets (an empty ``rows``: none approved)."""
    rows = list(rows)
    targets, pairs = [], []
    for row in rows:
        category = row.category.value if row.category is not None else None
        score = target_score(row, standards)
        weight = target_weight(category, standards)
        targets.append(
            {
                "target_id": row.target_id,
                "title": row.title,
                "category": category,
                "deadline": row.deadline.isoformat() if row.deadline else None,
                "completed_on": row.completed_on.isoformat() if row.completed_on else None,
                "outcome": row.outcome,
                "days_late": row.days_late,
                "score": score,
                "weight": weight,
            }
        )
        if score is not None:
            pairs.append((score, weight))
    detail = {"targets": targets}
    if not rows:
        return None, {**detail, "not_rated": NO_APPROVED_TARGETS}
    score = _weighted_mean(pairs)
    if score is None:
        return None, {**detail, "not_rated": NO_TARGET_DUE}
    return score, detail


def comprehensiveness(row, standards: dict) -> tuple[float | None, dict]:
    """Coverage of the required categories and the business sections, minus points per duty
    finding by severity, never below 0. ``row`` is an ``assessment.inputs``
    ComprehensivenessRow of an approved set, or None when the agency has none."""
    if row is None:
        return None, {"not_rated": NO_APPROVED_TARGETS}
    required = list(standards["required_categories"])
    covered = sorted(c.value for c in row.categories_covered if c.value in required)
    category_part = len(covered) / len(required)
    sections = len(row.business_sections_covered) + len(row.business_sections_missing)
    share = float(standards["category_share"]) if sections else 1.0
    section_part = len(row.business_sections_covered) / sections if sections else 0.0
    coverage = 100.0 * (share * category_part + (1 - share) * section_part)
    findings = [
        {
            "kind": finding.kind.value,
            "severity": finding.severity.value,
            "description": finding.description,
            "points": float(standards["finding_deductions"][finding.severity.value]),
        }
        for finding in row.findings
    ]
    deduction = sum(f["points"] for f in findings)
    return max(0.0, coverage - deduction), {
        "required_categories": required,
        "categories_covered": covered,
        "categories_missing": [c for c in required if c not in covered],
        "category_share": share,
        "business_sections_covered": list(row.business_sections_covered),
        "business_sections_missing": list(row.business_sections_missing),
        "coverage": coverage,
        "findings": findings,
        "deduction": deduction,
    }


def self_assessment(
    rows: Iterable[SelfRow], standards: dict, full_marks: float
) -> tuple[float | None, dict]:
    """The verified self-assessment on 0–100: per target the supervisor's latest adjusted
    score, else the self-score, over the year's full marks; weighted like the targets."""
    targets, pairs = [], []
    for row in rows:
        used = row.adjusted_score if row.adjusted_score is not None else row.self_score
        scaled = min(100.0, max(0.0, 100.0 * used / full_marks))
        weight = target_weight(row.category, standards)
        targets.append(
            {
                "target_id": row.target_id,
                "title": row.title,
                "self_score": row.self_score,
                "adjusted_score": row.adjusted_score,
                "scaled": scaled,
                "weight": weight,
            }
        )
        pairs.append((scaled, weight))
    return _weighted_mean(pairs), {"targets": targets, "full_marks": full_marks}


def indicators(rows: Iterable[tuple[str, str, float, float]]) -> tuple[float | None, dict]:
    """Imported public-indicator scores (indicator, source, score, full marks) on 0–100,
    averaged over the agency's indicators."""
    entries = [
        {"indicator": name, "source": source, "score": score, "max_score": top}
        for name, source, score, top in rows
        if top > 0
    ]
    if not entries:
        return None, {"indicators": []}
    values = [100.0 * e["score"] / e["max_score"] for e in entries]
    return sum(values) / len(values), {"indicators": entries}


def adjustment(items: Iterable[ItemRow], standards: dict) -> tuple[float, dict]:
    """The net 加减分 of one agency: items not reversed, bonuses and deductions each capped."""
    items = list(items)
    reversed_ids = {item.reverses_id for item in items if item.reverses_id is not None}
    live = [item for item in items if item.reverses_id is None and item.id not in reversed_ids]
    bonus = sum(item.points for item in live if item.points > 0)
    deduction = -sum(item.points for item in live if item.points < 0)
    capped_bonus = min(bonus, float(standards["bonus_cap"]))
    capped_deduction = min(deduction, float(standards["deduction_cap"]))
    net = capped_bonus - capped_deduction
    return net, {
        "items": [
            {
                "id": item.id,
                "points": item.points,
                "reason": item.reason,
                "basis": item.basis,
                "approved_by": item.approved_by,
                "reverses_id": item.reverses_id,
                "counts": item in live,
            }
            for item in items
        ],
        "bonus": bonus,
        "deduction": deduction,
        "bonus_counted": capped_bonus,
        "deduction_counted": capped_deduction,
        "net": net,
    }


def finite(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
