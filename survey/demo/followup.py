"""Demo follow-up: rectification items in every state (some overdue, one reopened after its
review, one with an extension waiting), reminders, a special-supervision case due 60 working
days after today, a 约谈 with its approval and two linkage notices. Dates are counted back
from today on the calendar, so the three colours show whenever the demo is loaded."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.clock import beijing_today
from survey.demo.targets import evidence_pdf
from survey.followup import escalation_services, extensions, services, special_services
from survey.followup.models import SourceKind
from survey.targets.models import Target, TargetSet
from survey.verification.models import DutyFinding
from survey.workdays.queries import calendar_around
from survey.years.models import AssessmentYear

# (agency, title, requirement, working days back issued, period, moves to make)
AGENCY_MOVES = {
    "acknowledge": ["acknowledge"],
    "progress": ["acknowledge", "progress"],
    "submit": ["acknowledge", "progress", "submit"],
}


def _back(calendar, today: dt.date, days: int) -> dt.date:
    """The working day ``days`` working days before ``today``."""
    day = today
    while days:
        day -= dt.timedelta(days=1)
        if calendar.is_working_day(day):
            days -= 1
    return day


def load(session: Session, year: AssessmentYear, supervisor: User, today: dt.date | None = None):
    today = today or beijing_today()
    calendar = calendar_around(session, today)
    agencies = {
        a.name: a
        for a in session.scalars(
            select(Agency).where(Agency.jurisdiction_id == year.jurisdiction_id)
        )
    }
    users = {u.username: u for u in session.scalars(select(User))}
    fgw, jyj = agencies["枣庄市发展和改革委员会"], agencies["枣庄市教育局"]
    editors = {fgw.id: users["fgw-editor"], jyj.id: users["jyj-editor"]}
    finding = session.scalar(select(DutyFinding).order_by(DutyFinding.id))
    overdue_target = session.scalar(
        select(Target).join(TargetSet).where(TargetSet.agency_id == fgw.id).order_by(Target.id)
    )
    case = special_services.open_case(
        session,
        supervisor,
        year.jurisdiction,
        matter="“一网通办”事项办理时限专项监管",
        description="根据市政府主要领导批示，对政务服务事项超时办理问题开展专项监管。",
        origin="instruction",
        agencies=[fgw, jyj],
        start_on=today,
    )
    special_services.record_finding(
        session, supervisor, case, jyj, "部分教育类审批事项实际办理时间超过承诺时限。"
    )

    def issue(agency, title, requirement, back, period, source=SourceKind.manual, source_id=None):
        return services.issue(
            session,
            supervisor,
            agency,
            source_kind=source,
            source_id=source_id,
            title=title,
            requirement=requirement,
            working_days=period,
            issued_on=_back(calendar, today, back),
            section=agency.live_sections[-1] if agency.live_sections else None,
            responsible_leader="分管副职",
        )

    def agency_moves(item, names, text="按要求推进整改。"):
        editor = editors[item.agency_id]
        for name in names:
            files = ()
            if name == "submit":
                files = [("整改报告.pdf", evidence_pdf(item.title, ["整改措施", text]))]
            services.agency_move(session, editor, item, name, text=text, files=files)

    def office(item, name, text="", review_after=None):
        services.office_move(
            session, supervisor, item, name, text=text, review_after=review_after, today=today
        )

    items = {}
    items["issued"] = issue(
        fgw, "规范项目审批中介服务", "清理审批中介服务事项，公开收费标准。", 1, 30
    )
    items["yellow"] = issue(
        jyj,
        "落实校外培训监管责任",
        "建立校外培训机构常态化检查机制。",
        6,
        40,
        SourceKind.special_supervision,
        case.id,
    )
    items["acknowledged"] = issue(fgw, "完善重大项目调度台账", "按月更新重大项目调度台账。", 4, 40)
    agency_moves(items["acknowledged"], AGENCY_MOVES["acknowledge"])
    items["blue"] = issue(jyj, "公开义务教育招生政策", "在门户网站集中公开招生政策。", 17, 20)
    agency_moves(items["blue"], AGENCY_MOVES["progress"], "已起草招生政策解读。")
    items["overdue"] = (
        issue(
            fgw,
            "整改逾期未完成的目标任务",
            "完成逾期目标任务并说明原因。",
            40,
            20,
            SourceKind.overdue_target,
            overdue_target.id if overdue_target else None,
        )
        if overdue_target
        else None
    )
    if items["overdue"] is not None:
        agency_moves(items["overdue"], AGENCY_MOVES["progress"], "已完成部分任务，仍在推进。")
        office(items["overdue"], "remind", "请于三个工作日内报送整改进展。")
        office(items["overdue"], "remind", "第二次催办：请尽快完成整改。")
    items["overdue_ack"] = issue(jyj, "规范教育收费公示", "全面公示教育收费项目和标准。", 30, 15)
    agency_moves(items["overdue_ack"], AGENCY_MOVES["acknowledge"])
    office(items["overdue_ack"], "remind", "已逾期，请说明原因。")
    items["submitted"] = issue(
        fgw,
        "健全行业协会监管制度",
        "制定行业协会事中事后监管办法。",
        20,
        40,
        SourceKind.on_site_finding
        if finding and finding.agency_id == fgw.id
        else SourceKind.manual,
        finding.id if finding and finding.agency_id == fgw.id else None,
    )
    agency_moves(items["submitted"], AGENCY_MOVES["submit"], "已印发监管办法并组织培训。")
    if finding is not None:
        items["finding"] = issue(
            finding.agency,
            "纠正监管缺位问题",
            finding.description,
            2,
            30,
            SourceKind.on_site_finding,
            finding.id,
        )
    items["returned"] = issue(jyj, "完善教育督导问责机制", "建立督导结果运用和问责制度。", 25, 40)
    agency_moves(items["returned"], AGENCY_MOVES["submit"], "已起草制度文本。")
    office(items["returned"], "return", "制度尚未印发，请印发后再报。")
    items["verified"] = issue(fgw, "公开价格监测信息", "按季度公开重要商品价格监测信息。", 30, 40)
    agency_moves(items["verified"], AGENCY_MOVES["submit"], "已按季度公开。")
    office(items["verified"], "verify", "经核查属实。")
    for key, outcome in (
        ("closed", None),
        ("reviewed", "review_held"),
        ("reopened", "review_recurred"),
    ):
        item = issue(
            fgw if key != "reopened" else jyj,
            {
                "closed": "精简备案证明材料",
                "reviewed": "压缩投资项目审批时限",
                "reopened": "规范学校食堂管理",
            }[key],
            "按清单整改到位。",
            60,
            30,
        )
        agency_moves(item, AGENCY_MOVES["submit"], "已整改到位。")
        office(item, "verify", "核查属实。")
        office(item, "close", review_after=30)
        if outcome == "review_held":
            office(item, outcome, "回头看未发现反弹。")
        elif outcome == "review_recurred":
            office(item, outcome, "回头看发现问题反弹，重新整改。")
        items[key] = item
    items["cancelled"] = issue(fgw, "重复下发的整改事项", "与第1项重复。", 3, 20)
    office(items["cancelled"], "cancel", "与已下发事项重复，撤销。")
    items["extension"] = issue(fgw, "推进社会信用体系建设", "完成信用信息归集共享。", 10, 30)
    agency_moves(items["extension"], AGENCY_MOVES["progress"], "已完成80%的信息归集。")
    extensions.request_extension(
        session,
        editors[fgw.id],
        items["extension"],
        due_on=items["extension"].due_on + dt.timedelta(days=30),
        reason="涉及省级平台对接，需延长期限。",
    )
    overdue = [items["overdue_ack"]] + ([items["overdue"]] if items["overdue"] else [])
    escalation_services.record_escalation(
        session,
        supervisor,
        jyj,
        kind="admonition",
        held_on=_back(calendar, today, 2),
        people="市委编办王科长；市教育局分管副局长",
        reason="整改事项逾期未完成，催办后仍未说明原因。",
        approved_by="市机构编制委员会",
        approved_on=_back(calendar, today, 4),
        document_number="枣编委〔2026〕12号",
        item_ids=[items["overdue_ack"].id],
        today=today,
    )
    scope = {a.id for a in agencies.values()}
    escalation_services.record_notice(
        session,
        supervisor,
        year.jurisdiction_id,
        scope,
        kind="notification",
        recipient="supervision",
        sent_on=_back(calendar, today, 1),
        title="关于整改逾期事项的情况通报",
        content="通报逾期未完成整改的事项及催办情况。",
        attachments="整改事项清单（.xlsx）",
        item_ids=[i.id for i in overdue],
        today=today,
    )
    escalation_services.record_notice(
        session,
        supervisor,
        year.jurisdiction_id,
        scope,
        kind="clue_referral",
        recipient="discipline",
        sent_on=today,
        agency=jyj,
        title="问题线索移送函",
        content="移送教育收费公示整改中发现的问题线索。",
        attachments="核查记录",
        item_ids=[items["overdue_ack"].id],
        today=today,
    )
    session.flush()
    return {key: item.state for key, item in items.items() if item is not None}
