"""The evaluation standards applied, against hand-computed values."""

import datetime as dt
from types import SimpleNamespace

import pytest

from survey.assessment.inputs import LATE, NOT_DONE, ON_TIME, OPEN, TimelinessRow
from survey.scores import rules
from survey.targets.models import Category
from survey.verification.models import FindingKind, Severity
from survey.years.standards import default_standards

D = dt.date(2026, 6, 30)


def row(outcome, days=0, category=Category.core_duty, target_id=1):
    return TimelinessRow(1, "甲局", target_id, "目标", D, None, outcome, days, category)


@pytest.fixture
def standards():
    return default_standards()  # 1 point a day, floor 60, not done 0, equal weights


def test_target_scores_follow_the_standard(standards):
    assert rules.target_score(row(ON_TIME), standards) == 100
    assert rules.target_score(row(LATE, 10), standards) == 90
    assert rules.target_score(row(LATE, 70), standards) == 60  # the floor
    assert rules.target_score(row(NOT_DONE, 5), standards) == 0
    assert rules.target_score(row(OPEN), standards) is None


def test_timeliness_is_the_mean_over_due_targets(standards):
    rows = [row(ON_TIME, target_id=1), row(LATE, 10, target_id=2), row(NOT_DONE, 3, target_id=3)]
    rows.append(row(OPEN, target_id=4))  # not yet due: left out
    score, detail = rules.timeliness(rows, standards)
    assert score == pytest.approx((100 + 90 + 0) / 3)
    assert [t["score"] for t in detail["targets"]] == [100, 90, 0, None]


def test_timeliness_weighted_by_category(standards):
    standards.update(target_weighting="category")
    rows = [
        row(ON_TIME, category=Category.party_government, target_id=1),  # weight 1.5
        row(NOT_DONE, 1, category=Category.other, target_id=2),  # weight 0.8
    ]
    score, _ = rules.timeliness(rows, standards)
    assert score == pytest.approx(100 * 1.5 / 2.3)


def test_timeliness_not_rated_without_approved_or_due_targets(standards):
    assert rules.timeliness([], standards) == (
        None,
        {"targets": [], "not_rated": "no_approved_targets"},
    )
    score, detail = rules.timeliness([row(OPEN)], standards)
    assert score is None and detail["not_rated"] == rules.NO_TARGET_DUE


def coverage(categories, covered, missing, findings=()):
    return SimpleNamespace(
        categories_covered=frozenset(categories),
        business_sections_covered=tuple(covered),
        business_sections_missing=tuple(missing),
        findings=tuple(SimpleNamespace(kind=k, severity=s, description="d") for k, s in findings),
    )


def test_comprehensiveness_coverage_minus_findings(standards):
    # 3 of the 4 required categories, 1 of 2 business sections, share 0.5: 37.5 + 25 = 62.5;
    # a moderate (5) and a serious (10) finding: 47.5.
    row_ = coverage(
        [Category.core_duty, Category.system_task, Category.coordination, Category.other],
        ["规划科"],
        ["项目科"],
        [(FindingKind.absence, Severity.moderate), (FindingKind.overreach, Severity.serious)],
    )
    score, detail = rules.comprehensiveness(row_, standards)
    assert detail["coverage"] == pytest.approx(62.5)
    assert score == pytest.approx(47.5)
    assert detail["categories_missing"] == ["party_government"]


def test_comprehensiveness_never_below_zero_and_all_on_categories_without_sections(standards):
    row_ = coverage([Category.core_duty], [], [], [(FindingKind.absence, Severity.serious)] * 3)
    score, detail = rules.comprehensiveness(row_, standards)
    assert detail["coverage"] == pytest.approx(25.0)  # no sections: categories take it all
    assert score == 0.0
    assert rules.comprehensiveness(None, standards)[0] is None


def test_self_assessment_uses_the_verified_score(standards):
    rows = [
        rules.SelfRow(1, 1, "a", "core_duty", 95.0, 80.0),  # adjusted on site
        rules.SelfRow(1, 2, "b", "core_duty", 90.0, None),
    ]
    score, detail = rules.self_assessment(rows, standards, 100.0)
    assert score == pytest.approx(85.0)
    assert [t["scaled"] for t in detail["targets"]] == [80.0, 90.0]
    assert rules.self_assessment(rows, standards, 200.0)[0] == pytest.approx(42.5)


def test_adjustments_capped_and_reversals_cancel(standards):
    items = [
        rules.ItemRow(1, 1, 4.0, "表彰", "", "王", None),
        rules.ItemRow(2, 1, 3.0, "表彰", "", "王", None),  # bonus 7, capped at 5
        rules.ItemRow(3, 1, -2.0, "通报", "", "王", None),
        rules.ItemRow(4, 1, -4.0, "误记", "", "王", None),
        rules.ItemRow(5, 1, 4.0, "撤销", "", "王", 4),  # reverses item 4
    ]
    net, detail = rules.adjustment(items, standards)
    assert net == pytest.approx(5.0 - 2.0)
    assert detail["bonus"] == 7.0 and detail["bonus_counted"] == 5.0
    assert [i["counts"] for i in detail["items"]] == [True, True, True, False, False]


def test_indicators_on_a_hundred_point_scale():
    score, _ = rules.indicators(
        [("党建", "市委组织部", 45.0, 50.0), ("政务公开", "市政府办", 80.0, 100.0)]
    )
    assert score == pytest.approx(85.0)
