"""Adjusting a self-score: the self-score stays, every adjustment is kept, the latest counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from survey.audit.models import AuditEntry
from survey.errors import DomainError
from survey.targets.models import SelfAssessment
from survey.verification import queries, services
from survey.verification.models import ScoreAdjustment
from tests.verification.conftest import ENGLISH


def adjust_url(target) -> str:
    return f"/admin/verification/targets/{target.id}/adjust"


def page_url(world) -> str:
    return f"/admin/verification/agency/{world.agency_a.id}/year/{world.year.id}"


def adjustments(db_session, target) -> list[ScoreAdjustment]:
    return list(
        db_session.scalars(
            select(ScoreAdjustment)
            .where(ScoreAdjustment.target_id == target.id)
            .order_by(ScoreAdjustment.id)
        )
    )


def test_adjusting_twice_keeps_both_and_the_self_score(world, targets, db_session, login):
    client = login(world.supervisor)
    assert client.get(adjust_url(targets.first)).status_code == 200

    first = client.post(adjust_url(targets.first), data={"score": "72.5", "reason": "台账缺两月"})
    second = client.post(
        adjust_url(targets.first), data={"score": "75", "reason": "补交材料后复核"}
    )

    assert first.status_code == second.status_code == 302
    rows = adjustments(db_session, targets.first)
    assert [(r.original_score, r.adjusted_score, r.reason) for r in rows] == [
        (Decimal("80.0"), Decimal("72.5"), "台账缺两月"),
        (Decimal("80.0"), Decimal("75.0"), "补交材料后复核"),
    ]
    assessment = db_session.scalars(
        select(SelfAssessment).where(SelfAssessment.target_id == targets.first.id)
    ).one()
    db_session.refresh(assessment)
    assert assessment.self_score == Decimal("80.0")
    assert queries.effective_scores(db_session, [targets.first.id, targets.second.id]) == {
        targets.first.id: rows[1]
    }
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.entity_type == "score_adjustments")
    ).all()
    assert actions == ["score.adjust", "score.adjust"]

    page = client.get(page_url(world)).get_data(as_text=True)
    assert "80.0" in page and "75.0" in page  # original and adjusted
    assert "补交材料后复核" in page and world.supervisor.display_name in page
    assert "72.5" in page and "台账缺两月" in page  # the earlier adjustment


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"score": "70", "reason": "  "}, "Give the reason for the adjustment."),
        ({"score": "100.5", "reason": "超出上限"}, "The score must be between 0 and 100."),
        (
            {"score": "70.25", "reason": "两位小数"},
            "Give the score with at most one decimal place.",
        ),
        ({"score": "", "reason": "没有分数"}, "Enter the adjusted score."),
    ],
    ids=["no-reason", "above-max", "two-decimals", "no-score"],
)
def test_bad_adjustments_are_refused(world, targets, db_session, login, data, message):
    response = login(world.supervisor).post(adjust_url(targets.first), data=data, headers=ENGLISH)

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert adjustments(db_session, targets.first) == []


def test_the_maximum_is_the_years(app, world, targets, db_session):
    world.year.config = {**world.year.config, "self_score_max": 10}
    db_session.flush()
    with app.test_request_context(headers=ENGLISH):
        with pytest.raises(DomainError, match="between 0 and 10"):
            services.adjust_score(
                db_session, world.supervisor, targets.first, adjusted_score="11", reason="过高"
            )
        row = services.adjust_score(
            db_session, world.supervisor, targets.first, adjusted_score="9.5", reason="复核"
        )
    assert row.adjusted_score == Decimal("9.5") and row.original_score == Decimal("80.0")


def test_no_adjustment_without_a_submitted_self_assessment(app, world, targets, db_session):
    targets.first.target_set.assessment_submitted_at = None
    targets.first.target_set.assessment_submitted_by_id = None
    db_session.flush()
    with app.test_request_context(headers=ENGLISH):
        for target in (targets.first, targets.withdrawn):
            with pytest.raises(DomainError):
                services.adjust_score(
                    db_session, world.supervisor, target, adjusted_score="50", reason="复核"
                )
    assert db_session.scalar(select(func.count()).select_from(ScoreAdjustment)) == 0


def test_a_visit_of_another_agency_is_refused(app, world, targets, db_session):
    with app.test_request_context(headers=ENGLISH):
        visit = services.record_visit(
            db_session,
            world.supervisor,
            world.agency_b,
            world.year,
            visited_on=dt.date(2026, 5, 1),
            people="张三",
            methods=["briefing"],
        )
        with pytest.raises(DomainError, match="another agency"):
            services.adjust_score(
                db_session,
                world.supervisor,
                targets.first,
                adjusted_score="50",
                reason="复核",
                visit=visit,
            )
