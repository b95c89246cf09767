"""Demo data for the agency side of the year, written through the services so the audit log
tells the story: targets in every state, ledger entries with evidence files, self-assessments,
filings, an adjustment request, a verification visit with an adjusted score, duty findings and
imported public-indicator scores.

Dates are placed around "today" (Beijing) and kept inside the demo year, so due-soon and
overdue flags show whenever the demo is loaded.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.accounts.models import Role, User
from survey.accounts.passwords import hash_password
from survey.agencies.models import Agency
from survey.campaigns.printing import FONT
from survey.clock import beijing_today
from survey.filings import services as filings
from survey.filings.models import FilingKind
from survey.indicators.importing import import_scores
from survey.targets import adjustments, services, tracking
from survey.targets.models import Category, Completion, Duty, Oversight, SetState, TargetSet
from survey.verification import services as verification
from survey.verification.models import FindingKind, Method, Severity
from survey.years.models import AssessmentYear

# (title, standard, expected outcome) — cycled over the business sections of each agency.
TASKS = [
    ("{s}年度重点项目按期推进", "年度项目完成率100%，按月调度", "重点项目全部按期投产见效"),
    ("{s}“一次办好”改革深化", "办理时限压减30%，材料精简20%", "企业群众办事满意度提升"),
    ("{s}权责清单落实情况自查", "清单事项全部对标，问题整改率100%", "权责边界清晰，无越位缺位"),
    ("{s}安全隐患排查整治", "季度排查全覆盖，隐患销号率100%", "全年无较大以上事故"),
    ("{s}政策宣传与解读", "解读文件不少于6件，覆盖全部服务对象", "政策知晓率达到90%"),
    ("{s}数字化服务能力提升", "线上可办率达到95%", "群众少跑腿，数据多跑路"),
]
BASES = [
    "“三定”规定第三条主要职责",
    "市委市政府2026年重点工作任务分工方案",
    "省厅2026年工作要点",
    "市委全面深化改革委员会年度要点",
]
DUTIES = list(Duty)
CATEGORIES = list(Category)
# The other agencies' staff must set their own password at first login: only the printed demo
# logins use the documented demo password.
DEMO_STAFF_PASSWORD = "demo-staff-2026"  # noqa: S105 — demo only, must be changed on login


@functools.cache
def _staff_hash() -> str:
    return hash_password(DEMO_STAFF_PASSWORD)


@dataclass(frozen=True)
class Summary:
    sets: int
    targets: int
    ledger_entries: int


def _day(today: dt.date, year: int, offset: int) -> dt.date:
    """``today + offset`` kept inside the year (and after its first month)."""
    first, last = dt.date(year, 2, 1), dt.date(year, 12, 31)
    return min(max(today + dt.timedelta(days=offset), first), last)


def evidence_pdf(title: str, lines: list[str]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setFont(FONT, 16)
    canvas.drawString(60, 780, title)
    canvas.setFont(FONT, 11)
    for number, line in enumerate(lines):
        canvas.drawString(60, 750 - 18 * number, line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _targets(
    session, actor, target_set: TargetSet, today: dt.date, count: int, seed: int, offsets=None
):
    agency, year = target_set.agency, target_set.year
    sections = [s for s in agency.live_sections if s.is_business] or agency.live_sections
    leaders = ["分管副局长 王明", "分管副局长 李强", "党组成员 陈静"]
    created = []
    for number in range(count):
        section = sections[number % len(sections)]
        title, standard, outcome = TASKS[(number + seed) % len(TASKS)]
        # Deadlines spread from two months ago to two months ahead, unless given.
        offset = offsets[number] if offsets else -60 + (number * 29 + seed * 7) % 120
        created.append(
            services.save_target(
                session,
                actor,
                target_set,
                {
                    "title": title.format(s=section.name),
                    "category": CATEGORIES[(number + seed) % len(CATEGORIES)],
                    "duty": DUTIES[(number + seed) % len(DUTIES)],
                    "basis": BASES[(number + seed) % len(BASES)],
                    "standard": standard,
                    "section_id": section.id,
                    "leader": leaders[number % len(leaders)],
                    "deadline": _day(today, year.year, offset),
                    "expected_outcome": outcome,
                    "oversight": Oversight.key if number % 3 == 0 else Oversight.internal,
                },
            )
        )
    session.flush()
    session.refresh(target_set)
    return created


def _progress(session, editor, target, today, *, done: bool, late: bool, with_file: bool):
    year = target.target_set.year.year
    deadline = target.deadline
    first = _day(min(today, deadline), year, -40)
    completed = deadline + dt.timedelta(days=12) if late else deadline - dt.timedelta(days=3)
    completed = max(min(completed, today), first)
    files = []
    if with_file:
        files = [
            (
                f"{target.title[:20]}-阶段材料.pdf",
                evidence_pdf(target.title, ["阶段性工作材料", f"记录日期：{first.isoformat()}"]),
            )
        ]
    entries = [
        tracking.add_ledger_entry(
            session,
            editor,
            target,
            entry_date=first,
            text="召开专题推进会，明确责任分工和时间节点。",
            percent=30,
            files=files,
            today=today,
        )
    ]
    if done:
        entries.append(
            tracking.add_ledger_entry(
                session,
                editor,
                target,
                entry_date=completed,
                text="任务全部完成，形成总结报告并归档。",
                percent=100,
                files=[],
                today=today,
            )
        )
        tracking.save_assessment(
            session,
            editor,
            target,
            status=Completion.done,
            completed_on=completed,
            outcome="按量化标准完成，成效经服务对象确认。",
            self_score=Decimal("88.0") if late else Decimal("95.0"),
            files=[],
            revision=None,
            today=today,
        )
    return len(entries)


def _staff(session: Session, agency: Agency, number: int) -> tuple[User, User]:
    """An editor and a leader for an agency the printed demo logins do not cover. They share
    one password hash (hashing is deliberately slow) and must change it at first login."""
    made = []
    for role, title in ((Role.agency_editor, "填报员"), (Role.agency_leader, "负责人")):
        user = User(
            username=f"demo{number:02d}-{role.value.removeprefix('agency_')}",
            display_name=f"{agency.short_name or agency.name} {title}",
            role=role,
            agency_id=agency.id,
            password_hash=_staff_hash(),
            must_change_password=True,
        )
        session.add(user)
        made.append(user)
    session.flush()
    return made[0], made[1]


def load(session: Session, year: AssessmentYear, supervisor: User, today: dt.date | None = None):
    """Create the year's agency-side records (flushed, not committed)."""
    today = today or beijing_today()
    by_name = {
        a.name: a
        for a in session.scalars(
            select(Agency).where(Agency.jurisdiction_id == year.jurisdiction_id)
        )
    }
    users = {u.username: u for u in session.scalars(select(User))}
    editor, leader = users["fgw-editor"], users["fgw-leader"]
    sets = targets = entries = 0

    # 市发改委, the demo editor's and leader's own agency: approved, in full swing.
    fgw = by_name["枣庄市发展和改革委员会"]
    fgw_set = services.get_or_create_set(session, fgw, year)
    # Done on time, overdue, done late, due within a week, and two later ones.
    fgw_targets = _targets(
        session, editor, fgw_set, today, 6, seed=0, offsets=[-60, -31, -45, 7, 40, 85]
    )
    fgw_set.submit(leader)
    fgw_set.approve(supervisor, "目标明确，量化标准具体，同意。")
    session.flush()
    for number, target in enumerate(fgw_targets):
        past = target.deadline < today
        entries += _progress(
            session,
            editor,
            target,
            today,
            done=past and number != 1,  # target 2 is left overdue
            late=number == 3,
            with_file=number < 3,
        )
    adjustments.request_adjustment(
        session,
        editor,
        fgw_targets[-1],
        {"standard": "年度任务完成率100%，其中省级审批事项以批复时间为准"},
        "部分事项受省级审批进度影响，申请调整量化标准。",
    )
    filings.save_filing(
        session,
        editor,
        fgw,
        year,
        FilingKind.work_plan,
        text="一、指导思想\n二、主要目标\n三、重点任务\n四、保障措施",
        special_plans="重大项目建设专项计划；价格监测专项计划",
        files=[("2026年工作要点.pdf", evidence_pdf("2026年工作要点", ["一、指导思想"]))],
        revision=None,
    )
    plan = filings.filing_of(session, fgw, year, FilingKind.work_plan)
    plan.submit(leader)
    filings.save_filing(
        session,
        editor,
        fgw,
        year,
        FilingKind.half_year,
        text="上半年重点任务总体进展顺利，6项目标中4项按序时推进。",
        special_plans="",
        files=[],
        revision=None,
    )
    sets += 1
    targets += len(fgw_targets)

    # 市教育局 (jyj-editor): returned with comments, waiting for its revision.
    jyj = by_name["枣庄市教育局"]
    jyj_set = services.get_or_create_set(session, jyj, year)
    targets += len(_targets(session, users["jyj-editor"], jyj_set, today, 5, seed=1))
    jyj_set.submit(_staff(session, jyj, 1)[1])
    jyj_set.return_for_revision(supervisor, "第2项和第4项量化标准不够具体，请细化后重新报送。")
    sets += 1

    # Others: submitted, drafts, and approved sets with a submitted self-assessment.
    plan_states = [
        ("枣庄市民政局", SetState.submitted, 5),
        ("枣庄市财政局", SetState.submitted, 6),
        ("枣庄市公安局", SetState.draft, 3),
        ("枣庄市人力资源和社会保障局", SetState.approved, 5),
        ("枣庄市生态环境局", SetState.approved, 6),
        ("枣庄市行政审批服务局", SetState.approved, 5),
    ]
    assessed = None
    for seed, (name, state, count) in enumerate(plan_states, start=2):
        agency = by_name[name]
        agency_editor, agency_leader = _staff(session, agency, seed)
        target_set = services.get_or_create_set(session, agency, year)
        made = _targets(session, agency_editor, target_set, today, count, seed=seed)
        targets += len(made)
        sets += 1
        if state is SetState.draft:
            continue
        target_set.submit(agency_leader)
        if state is SetState.approved:
            target_set.approve(supervisor, "")
            session.flush()
            for number, target in enumerate(made):
                entries += _progress(
                    session,
                    agency_editor,
                    target,
                    today,
                    done=True,
                    late=number == 0,
                    with_file=False,
                )
            target_set.submit_assessment(agency_leader)
            assessed = assessed or (agency, made)
    session.flush()

    # A verification visit at an agency whose self-assessment is in.
    agency, made = assessed
    visit = verification.record_visit(
        session,
        supervisor,
        agency,
        year,
        visited_on=_day(today, year.year, -5),
        people="市委编办 王科长、刘干事；被察访单位办公室主任",
        methods=[Method.briefing.value, Method.documents.value, Method.forum.value],
        summary="听取工作汇报，抽查台账和佐证材料，召开服务对象座谈会。",
        findings={made[0].id: "完成时间晚于时限，佐证材料不完整。"},
        today=today,
    )
    verification.adjust_score(
        session,
        supervisor,
        made[0],
        adjusted_score=Decimal("80.0"),
        reason="逾期完成且佐证材料不完整，按评价标准扣分。",
        visit=visit,
    )
    verification.record_duty_finding(
        session,
        supervisor,
        agency,
        year,
        kind=FindingKind.absence,
        severity=Severity.moderate,
        description="对行业协会的事中事后监管未形成制度，存在监管缺位。",
        visit=visit,
    )
    verification.record_duty_finding(
        session,
        supervisor,
        by_name["枣庄市财政局"],
        year,
        kind=FindingKind.overreach,
        severity=Severity.minor,
        description="代替项目单位组织专家评审，超出职责范围。",
    )
    import_scores(session, supervisor, year, "公共指标得分.xlsx", _indicator_workbook(by_name))
    session.flush()
    return Summary(sets=sets, targets=targets, ledger_entries=entries)


def _indicator_workbook(by_name: dict[str, Agency]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["被评价单位", "指标", "考核单位", "得分", "满分"])
    bodies = [("党建", "市直机关工委"), ("预算绩效", "市财政局"), ("政务公开", "市政府办公室")]
    for number, name in enumerate(sorted(by_name)[:12]):
        for index, (indicator, body) in enumerate(bodies):
            sheet.append([name, indicator, body, 85 + (number * 3 + index * 5) % 15, 100])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
