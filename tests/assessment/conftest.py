"""One year of targets that shows every outcome and every kind of gap; today is 15 June 2026."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from survey.agencies.models import Section
from survey.db import utcnow
from survey.targets.models import Category, Completion, SetState
from survey.verification.models import FindingKind, Severity
from tests.assessment.builders import finding, section, target, target_set

TODAY = dt.date(2026, 6, 15)
FORMULA_TITLE = '=HYPERLINK("http://evil.example","x")'
FORMULA_SECTION = "=业务二科"


@pytest.fixture
def scene(app, db_session, world):
    a, b = world.agency_a, world.agency_b
    business = section(a, "业务一科").id
    office = section(a, "办公室").id
    db_session.add_all(
        [
            Section(agency_id=a.id, name=FORMULA_SECTION, is_business=True),
            Section(agency_id=a.id, name="旧业务科", is_business=True, deleted_at=utcnow()),
        ]
    )
    set_a = target_set(db_session, world, a)
    party = Category.party_government

    def add(title, deadline, status=None, completed_on=None, **kwargs):
        return target(
            db_session,
            world,
            set_a,
            title,
            deadline=deadline,
            status=status,
            completed_on=completed_on,
            **kwargs,
        ).id

    done = Completion.done
    ids = SimpleNamespace(
        on_deadline=add("按期完成", dt.date(2026, 3, 31), done, dt.date(2026, 3, 31)),
        early=add("提前完成", dt.date(2026, 6, 30), done, dt.date(2026, 5, 1), category=party),
        late=add("逾期完成", dt.date(2026, 3, 31), done, dt.date(2026, 4, 10)),
        partly=add("部分完成", dt.date(2026, 5, 1), Completion.partly, section_id=office),
        unassessed=add("未自评", dt.date(2026, 6, 1), section_id=business),
        due_today=add("今日到期", dt.date(2026, 6, 15), Completion.not_done),
        later=add(FORMULA_TITLE, dt.date(2026, 9, 30)),
        withdrawn=add("已撤回", dt.date(2026, 1, 1), withdrawn=True, category=Category.other),
    )
    set_b = target_set(db_session, world, b, SetState.submitted)
    ids.pending = target(
        db_session,
        world,
        set_b,
        "待审目标",
        deadline=dt.date(2026, 1, 1),
        category=Category.coordination,
    ).id
    finding(db_session, world, a, FindingKind.overreach, Severity.minor, "多头审批")
    finding(db_session, world, a, FindingKind.overreach, Severity.serious, "越权检查")
    finding(db_session, world, a, FindingKind.absence, Severity.moderate, "监管缺位")
    db_session.commit()
    return ids
