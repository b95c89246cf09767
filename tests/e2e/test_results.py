"""A year's result in the browser, across both windows: the supervisor reads the dashboard and
drills down, publishes; the agency's leader reads the agency's own result on a phone and
objects; the supervisor accepts it with a correction, computes again, closes the objection
window and finalises; the leader reads the decision. No console errors anywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from survey.clock import beijing_today
from survey.results.models import ObjectionDecision, Outcome
from survey.scores import services
from survey.scores.models import RunFinalisation, ScoringRun
from tests.e2e.test_agency_year import desk as desk  # noqa: F401 — the fixture, re-exported
from tests.e2e.test_followup import sign_in
from tests.fixtures.data import make_world
from tests.results.conftest import set_window
from tests.scores.conftest import AS_OF, build_year

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def test_publish_object_decide_recompute_finalise(live, desk, phone):  # noqa: F811
    app, session, base = live
    with app.app_context():
        world = make_world(session)
        build_year(session, world)
        services.compute_run(session, world.supervisor, world.year, AS_OF, workers=1)
        session.commit()
        set_window(session, world.year, beijing_today() + dt.timedelta(days=10))
    year_id = world.year.id

    office = desk(base, world.supervisor)
    office.goto(f"{base}/admin/results/years/{year_id}")
    expect(office.locator("h1")).to_contain_text("结果看板")
    expect(office.locator("table.ranking")).to_contain_text("第1名")
    expect(office.locator("table.ranking")).to_contain_text("不予评定")  # agency B
    assert office.locator("svg.chart title").count() > 3  # hover text per mark
    office.get_by_role("link", name=world.agency_a.name, exact=True).first.click()
    expect(office.locator("#sum-heading")).to_contain_text("综合得分的构成")
    expect(office.locator("body")).to_contain_text("逾期完成")  # the targets behind it
    office.get_by_role("link", name="返回结果看板").click()
    office.get_by_role("link", name="向各单位发布…").click()
    office.get_by_label("我已核对本次评分").check()
    office.get_by_role("button", name="发布", exact=True).click()
    expect(office.locator("body")).to_contain_text("已发布，各单位现在可以看到本单位结果")
    assert office.console_errors == []

    sign_in(phone, base, world.leader_a)
    phone.goto(f"{base}/agency/results/")
    expect(phone.locator("h1")).to_contain_text("本单位结果")
    expect(phone.locator("body")).not_to_contain_text(world.agency_b.name)
    phone.select_option('select[name="subject"]', "timeliness")
    phone.fill('textarea[name="reason"]', "“逾期完成”一项已于时限内完成，附验收单。")
    phone.get_by_role("button", name="提交复核申请").click()
    expect(phone.locator("body")).to_contain_text("复核申请已提交")
    expect(phone.locator("body")).to_contain_text("等待编办决定")
    assert phone.console_errors == []

    office.goto(f"{base}/admin/results/years/{year_id}/objections")
    office.get_by_role("link", name="查看并处理").click()
    office.get_by_label("予以采纳：更正后重新评分").check()
    office.fill('input[name="correction"]', "按验收单核减逾期天数")
    office.fill('textarea[name="reason"]', "验收单显示按期完成，予以采纳。")
    office.get_by_role("button", name="提交审核结果").click()
    expect(office.locator("body")).to_contain_text("决定已记录")
    office.goto(f"{base}/admin/scores/years/{year_id}")
    office.get_by_role("button", name="立即计算得分").click()
    expect(office.locator("h1")).to_contain_text("第2次评分")
    run_page = office.url
    # the window closes: the year page sets its last day (yesterday, for the test)
    office.goto(f"{base}/admin/years/{year_id}")
    yesterday = beijing_today() - dt.timedelta(days=1)
    office.fill('input[name="objection_closes"]', yesterday.isoformat())
    office.get_by_role("button", name="保存配置").click()
    expect(office.locator("body")).to_contain_text("已保存")
    office.goto(run_page)
    office.get_by_role("link", name="确定为最终结果…").click()
    office.get_by_label("本人已核对该评分批次").check()
    office.get_by_role("button", name="确定为最终结果").click()
    expect(office.locator("body")).to_contain_text("本年度最终结果")
    assert office.console_errors == []

    phone.reload()
    expect(phone.locator("body")).to_contain_text("验收单显示按期完成，予以采纳。")
    assert phone.console_errors == []

    session.rollback()  # a fresh read of what the server wrote
    assert session.scalar(select(ObjectionDecision)).outcome is Outcome.accepted
    final = session.scalar(select(RunFinalisation))
    assert session.get(ScoringRun, final.run_id).number == 2
