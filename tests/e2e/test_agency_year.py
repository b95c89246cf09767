"""The agency's year in a desktop browser: the editor drafts targets, the leader submits them,
the supervisor approves, the editor records progress with evidence and the self-assessment,
the leader signs it off, and the supervisor verifies and sees the dimension inputs."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey.evidence.models import EvidenceFile
from survey.targets.models import SetState, TargetSet
from survey.verification.models import ScoreAdjustment
from tests.fixtures.data import PASSWORD, make_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def desk(browser):
    contexts = []

    def open_as(base, user):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message),
        )
        page.goto(f"{base}/login")
        page.fill('input[name="username"]', user.username)
        page.fill('input[name="password"]', PASSWORD)
        page.locator('button[type="submit"]').click()
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()


def add_target(page, base, title, deadline):
    page.goto(f"{base}/agency/targets/new")
    page.fill('input[name="title"]', title)
    page.select_option('select[name="category"]', "core_duty")
    page.select_option('select[name="duty"]', "service")
    page.select_option('select[name="section_id"]', label="业务一科")
    page.fill('input[name="leader"]', "王副局长")
    page.fill('input[name="deadline"]', deadline)
    page.select_option('select[name="oversight"]', "key")
    page.fill('textarea[name="basis"]', "三定规定第三条")
    page.fill('textarea[name="standard"]', "办结率100%")
    page.fill('textarea[name="expected_outcome"]', "群众满意")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{base}/agency/targets/")


def test_an_agency_and_its_supervisor_do_the_year_in_the_browser(live, desk, tmp_path):
    app, session, base = live
    with app.app_context():
        world = make_world(session)
        world.year.config = {**world.year.config, "min_targets": 2}
        world.year.open()
        session.commit()

    editor = desk(base, world.editor_a)
    add_target(editor, base, "压减审批时限", "2026-03-31")
    add_target(editor, base, "推进政务公开", "2026-04-30")
    assert "只有单位负责人可以报送目标" in editor.content()

    leader = desk(base, world.leader_a)
    leader.goto(f"{base}/agency/targets/")
    leader.get_by_role("button", name="报送审核（负责人签发）").click()
    assert "目标已报送编办审核" in leader.content()

    supervisor = desk(base, world.supervisor)
    supervisor.goto(f"{base}/admin/targets/agency/{world.agency_a.id}/year/{world.year.id}")
    supervisor.select_option('select[name="decision"]', "approve")
    supervisor.fill('textarea[name="comment"]', "同意")
    supervisor.get_by_role("button", name="提交审核结果").click()
    assert "目标已审核通过" in supervisor.content()

    evidence = tmp_path / "会议纪要.pdf"
    evidence.write_bytes(PDF)
    editor.goto(f"{base}/agency/targets/")
    for title in ("压减审批时限", "推进政务公开"):
        editor.locator("table").get_by_role("link", name=title).click()
        editor.fill('input[name="entry_date"]', "2026-03-20")
        editor.fill('input[name="percent"]', "100")
        editor.fill('textarea[name="text"]', "全部办结")
        editor.set_input_files('form[action$="/ledger"] input[type="file"]', str(evidence))
        editor.get_by_role("button", name="记录进展").click()
        assert "已记录进展" in editor.content()
        editor.select_option('select[name="status"]', "done")
        editor.fill('input[name="completed_on"]', "2026-03-25")
        editor.fill('input[name="self_score"]', "95")
        editor.fill('textarea[name="outcome"]', "按期完成")
        editor.get_by_role("button", name="保存自评").click()
        assert "自评已保存" in editor.content()
        editor.goto(f"{base}/agency/targets/")

    leader.goto(f"{base}/agency/targets/")
    leader.get_by_role("button", name="报送自评（负责人签发）").click()
    assert "自评已报送" in leader.content()

    supervisor.goto(f"{base}/admin/targets/agency/{world.agency_a.id}/year/{world.year.id}")
    supervisor.get_by_role("link", name="实地察访核验").click()
    supervisor.get_by_role("link", name="调整").first.click()
    supervisor.fill('input[name="score"]', "85")
    supervisor.fill('textarea[name="reason"]', "佐证材料不完整")
    supervisor.get_by_role("button", name="记录调整后分数").click()
    assert "已记录调整后分数" in supervisor.content()
    supervisor.goto(f"{base}/admin/assessment/{world.year.id}/inputs")
    assert "压减审批时限" in supervisor.content() and "按时完成" in supervisor.content()

    for page in (editor, leader, supervisor):
        assert page.console_errors == []
    session.expire_all()
    target_set = session.scalar(select(TargetSet))
    assert target_set.state is SetState.approved and target_set.assessment_submitted
    assert len(session.scalars(select(EvidenceFile)).all()) == 2
    (adjustment,) = session.scalars(select(ScoreAdjustment)).all()
    assert (str(adjustment.original_score), str(adjustment.adjusted_score)) == ("95.0", "85.0")
