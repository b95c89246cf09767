"""Targets with submitted self-assessments to verify, and a frozen "today" inside the year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from survey.db import utcnow
from survey.targets.models import Completion, SelfAssessment, SetState, Target, TargetSet

TODAY = dt.date(2026, 6, 30)
ENGLISH = {"Accept-Language": "en"}  # source strings: stable while translations change


@dataclass
class Targets:
    first: Target  # self-score 80.0
    second: Target  # self-score 60.0
    withdrawn: Target
    other: Target  # agency_b's


def make_set(session, world, agency, titles, *, submitted=True) -> list[Target]:
    now = utcnow()
    target_set = TargetSet(
        agency_id=agency.id,
        year_id=world.year.id,
        state=SetState.approved,
        submitted_at=now,
        submitted_by_id=world.leader_a.id,
        reviewed_at=now,
        reviewed_by_id=world.supervisor.id,
        assessment_submitted_at=now if submitted else None,
        assessment_submitted_by_id=world.leader_a.id if submitted else None,
    )
    session.add(target_set)
    targets = []
    for title, score in titles:
        target = Target(target_set=target_set, title=title)
        session.add(target)
        if score is not None:
            session.add(
                SelfAssessment(
                    target=target,
                    status=Completion.partly,
                    outcome="按计划推进",
                    self_score=Decimal(score),
                    updated_by_id=world.editor_a.id,
                )
            )
        targets.append(target)
    session.flush()
    return targets


@pytest.fixture
def targets(world, db_session) -> Targets:
    first, second, withdrawn = make_set(
        db_session,
        world,
        world.agency_a,
        [("优化营商环境", "80.0"), ("推进政务公开", "60.0"), ("已撤回指标", None)],
    )
    withdrawn.withdrawn_at = utcnow()
    (other,) = make_set(db_session, world, world.agency_b, [("乙局指标", "70.0")])
    db_session.commit()
    return Targets(first=first, second=second, withdrawn=withdrawn, other=other)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    monkeypatch.setattr("survey.verification.services.beijing_today", lambda: TODAY)
    return TODAY
