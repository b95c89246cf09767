"""What is due: overdue and due-soon targets on the agency's and the supervisor's home pages,
and the supervisor's overview of the year with its filters."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import update

from survey.agencies import services as agencies
from survey.agencies.models import Agency, AgencyKind
from survey.targets.models import Category, SetState, Target
from tests.targets.conftest import make_set


def set_deadlines(db_session, target_set, *deadlines):
    for target, deadline in zip(target_set.live_targets, deadlines, strict=False):
        db_session.execute(update(Target).where(Target.id == target.id).values(deadline=deadline))
    db_session.commit()


def test_the_agency_home_flags_overdue_and_due_soon_targets(
    app, world, open_year, db_session, login
):
    target_set = make_set(app, db_session, world, state=SetState.approved)
    # Today is 2026-08-01 and targets are flagged 14 days ahead.
    set_deadlines(
        db_session,
        target_set,
        dt.date(2026, 7, 22),  # overdue by 10 days
        dt.date(2026, 8, 5),  # due in 4 days
        dt.date(2026, 8, 30),  # not yet flagged
    )
    html = login(world.editor_a).get("/agency/").get_data(as_text=True)
    assert "完成时限 2026-07-22，已逾期 10 天" in html
    assert "完成时限 2026-08-05，还有 4 天" in html
    assert "2026-08-30" not in html


def test_the_supervisor_home_lists_what_needs_attention(app, world, open_year, db_session, login):
    late = make_set(app, db_session, world, state=SetState.approved)
    set_deadlines(db_session, late, dt.date(2026, 7, 1))
    make_set(app, db_session, world, world.agency_b, state=SetState.submitted)
    html = login(world.supervisor).get("/admin/").get_data(as_text=True)
    assert html.count("<h2>需要关注：2026 年 测试市</h2>") == 1  # (it also names the table box)
    assert "<table" not in html.split("<title>")[1].split("</title>")[0]
    row_a = html.split("测试市甲局</a>")[1].split("</tr>")[0]
    assert "<td>1</td>" in row_a  # one overdue target
    row_b = html.split("测试市乙局</a>")[1].split("</tr>")[0]
    assert "是" in row_b  # awaiting approval


def test_the_overview_counts_and_filters(app, world, open_year, db_session, login):
    late = make_set(app, db_session, world, state=SetState.approved)
    set_deadlines(db_session, late, dt.date(2026, 7, 1), dt.date(2026, 7, 2))
    make_set(app, db_session, world, world.agency_b, count=2)
    client = login(world.viewer)
    html = client.get(f"/admin/targets/?year_id={world.year.id}").get_data(as_text=True)
    row_a = html.split("测试市甲局</a>")[1].split("</tr>")[0]
    assert row_a.startswith("</td><td>5</td>") and "已审核通过" in row_a
    assert '<tr class="overdue">' in html
    assert "测试市乙局" in html and "测试区丙局" not in html  # the year is the city's

    # Category: agency B's two targets are categories 1 and 2 of the five.
    only = list(Category)[1]
    html = client.get(f"/admin/targets/?year_id={world.year.id}&category={only.value}").get_data(
        as_text=True
    )
    assert "测试市乙局" in html and html.split("测试市乙局</a>")[1].startswith("</td><td>1</td>")

    db_session.execute(
        update(Agency).where(Agency.id == world.agency_b.id).values(kind=AgencyKind.party)
    )
    db_session.commit()
    html = client.get(f"/admin/targets/?year_id={world.year.id}&kind=party").get_data(as_text=True)
    assert "测试市乙局" in html and "测试市甲局" not in html


def test_unknown_filters_and_years_out_of_scope_show_the_default(world, open_year, login):
    client = login(world.district_supervisor)
    page = client.get(f"/admin/targets/?year_id={world.year.id}&kind=nope&category=%00")
    assert page.status_code == 200
    assert "测试市甲局" not in page.get_data(as_text=True)


def test_overdue_work_is_listed_first_and_agencies_not_started_last(
    app, world, open_year, db_session, login
):
    make_set(app, db_session, world, count=2)  # agency A: a draft
    late = make_set(app, db_session, world, world.agency_b, state=SetState.approved)
    set_deadlines(db_session, late, dt.date(2026, 7, 1))
    with app.app_context():
        agencies.create_agency(
            db_session,
            None,
            jurisdiction_id=world.city.id,
            name="测试市丁局",
            short_name="丁局",
            kind=AgencyKind.government,
        )
        db_session.commit()
    html = login(world.supervisor).get(f"/admin/targets/?year_id={world.year.id}")
    names = re.findall(r">(测试市.局)</a>", html.get_data(as_text=True))
    assert names == ["测试市乙局", "测试市甲局", "测试市丁局"]
