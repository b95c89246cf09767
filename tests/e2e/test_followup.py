"""A rectification item in the browser, across both windows: the supervisor issues it with a
deadline in working days, the agency acknowledges it on a phone, reports progress and submits
its measures with a file, the supervisor returns it once, verifies it and closes it (销号)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.evidence.models import EvidenceFile, EvidenceOwner
from survey.followup.models import ItemState, RectificationItem
from tests.e2e.test_agency_year import PDF
from tests.e2e.test_agency_year import desk as desk  # noqa: F401 — the fixture, re-exported
from tests.fixtures.data import PASSWORD, make_world

expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


def sign_in(page, base, user):
    page.goto(f"{base}/login")
    page.fill('input[name="username"]', user.username)
    page.fill('input[name="password"]', PASSWORD)
    page.locator('button[type="submit"]').click()
    page.wait_for_load_state()


def test_an_item_goes_from_issue_to_closing_across_both_portals(live, desk, phone, tmp_path):  # noqa: F811
    app, session, base = live
    with app.app_context():
        world = make_world(session)

    office = desk(base, world.supervisor)
    office.goto(f"{base}/admin/followup/")
    office.get_by_text("向单位下发整改事项").click()
    office.get_by_role("link", name=world.agency_a.name).click()
    office.fill('input[name="title"]', "公开全部办事指南")
    office.fill('textarea[name="requirement"]', "在门户网站公开全部政务服务事项的办事指南")
    office.fill('input[name="working_days"]', "60")
    office.select_option('select[name="section_id"]', label="业务一科")
    office.fill('input[name="responsible_leader"]', "王副局长")
    office.get_by_role("button", name="下发").click()
    expect(office.locator("body")).to_contain_text("整改事项已下发")
    expect(office.locator("body")).to_contain_text("60个工作日")

    sign_in(phone, base, world.editor_a)
    expect(phone.locator("body")).to_contain_text("整改")
    phone.goto(f"{base}/agency/followup/")
    phone.get_by_role("link", name="公开全部办事指南").click()
    phone.get_by_role("button", name="签收", exact=True).click()
    expect(phone.locator("body")).to_contain_text("已完成：已签收")
    phone.fill('textarea[name="text"] >> nth=0', "已梳理事项清单")
    phone.get_by_role("button", name="报送进展").click()
    pdf = tmp_path / "公开截图.pdf"
    pdf.write_bytes(PDF)
    phone.fill("#submit-text", "已在门户网站公开")
    phone.set_input_files("#submit-files", str(pdf))
    phone.get_by_role("button", name="报送核查").click()
    expect(phone.locator("body")).to_contain_text("已报送待核查")
    assert phone.console_errors == []

    office.reload()
    office.fill("#text-return", "缺少公开截图的日期")
    office.get_by_role("button", name="退回单位").click()
    expect(office.locator("body")).to_contain_text("已退回")

    phone.reload()
    expect(phone.locator("body")).to_contain_text("缺少公开截图的日期")
    phone.fill("#submit-text", "补充带日期的截图")
    phone.get_by_role("button", name="报送核查").click()

    office.reload()
    office.get_by_role("button", name="核查通过").click()
    office.select_option("#review-after", "60")
    office.get_by_role("button", name="销号").click()
    expect(office.locator("body")).to_contain_text("已销号")
    assert office.console_errors == []

    session.expire_all()
    item = session.scalar(select(RectificationItem))
    assert item.state is ItemState.closed
    assert session.scalar(
        select(EvidenceFile).where(EvidenceFile.owner_type == EvidenceOwner.rectification)
    )
