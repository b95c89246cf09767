"""The demo year, completed and scored: approved, self-assessed targets for most city agencies
(two are left without, so the run shows agencies not rated), 加减分 items (one reversed), and
two runs — the second after a later on-site verification lowered one agency's score, so the
difference between runs shows an agency that moved because of verification — and the year's
last day for objections, so that a run can be published and objected to.

``complete_year`` adds records (flushed); ``score`` computes the runs and must run on
committed data (a run reads in a transaction of its own).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.clock import beijing_today
from survey.demo.targets import _progress, _staff, _targets
from survey.scores import services as scores
from survey.targets import services as targets
from survey.targets.models import TargetSet
from survey.verification import services as verification
from survey.years.models import AssessmentYear

logger = logging.getLogger(__name__)

LEFT_WITHOUT_TARGETS = ("中共枣庄市委办公室", "枣庄市总工会")
ITEMS = (
    ("枣庄市行政审批服务局", "3", "获评全省政务服务标杆单位", "鲁政办字〔2026〕15号"),
    ("枣庄市生态环境局", "-2", "环保督察反馈问题整改滞后，被市委督查室通报", "枣督查通〔2026〕8号"),
    (
        "枣庄市人力资源和社会保障局",
        "1.5",
        "承办全省技能大赛，组织工作获省厅表扬",
        "鲁人社函〔2026〕40号",
    ),
)


def complete_year(session: Session, year: AssessmentYear, supervisor: User, today=None) -> int:
    """Approved target sets, with progress and a submitted self-assessment, for every city
    agency that has none yet (but two). Returns how many sets were added."""
    today = today or beijing_today()
    have = set(session.scalars(select(TargetSet.agency_id).where(TargetSet.year_id == year.id)))
    agencies = session.scalars(
        select(Agency)
        .where(Agency.jurisdiction_id == year.jurisdiction_id, Agency.deleted_at.is_(None))
        .order_by(Agency.id)
    ).all()
    added = 0
    for number, agency in enumerate(agencies, start=20):
        if agency.id in have or agency.name in LEFT_WITHOUT_TARGETS:
            continue
        editor, leader = _staff(session, agency, number)
        target_set = targets.get_or_create_set(session, agency, year)
        made = _targets(session, editor, target_set, today, 5, seed=number)
        target_set.submit(leader)
        target_set.approve(supervisor, "")
        session.flush()
        for position, target in enumerate(made):
            # Some agencies finish a target late; every seventh leaves one undone.
            undone = number % 7 == 0 and position == 1 and target.deadline < today
            _progress(
                session,
                editor,
                target,
                today,
                done=not undone,
                late=(number + position) % 4 == 0,
                with_file=False,
            )
        if not any(number % 7 == 0 and p == 1 and t.deadline < today for p, t in enumerate(made)):
            target_set.submit_assessment(leader)
        added += 1
    session.flush()
    return added


def score(session: Session, year_id: int, today: dt.date | None = None) -> None:
    """Items, run 1, a later verification visit, run 2 (each committed)."""
    today = today or beijing_today()
    year = session.get(AssessmentYear, year_id)
    supervisor = session.scalar(select(User).where(User.username == "bianban"))
    by_name = {
        a.name: a
        for a in session.scalars(
            select(Agency).where(Agency.jurisdiction_id == year.jurisdiction_id)
        )
    }
    made = []
    for name, points, reason, basis in ITEMS:
        made.append(
            scores.add_item(
                session, supervisor, year, by_name[name], points=points, reason=reason, basis=basis
            )
        )
    session.flush()
    scores.reverse_item(session, supervisor, made[-1], reason="表扬对象为省厅，非本单位，撤销。")
    session.commit()
    scores.compute_run(session, supervisor, year, today)
    session.commit()

    agency = by_name["枣庄市生态环境局"]
    target_set = session.scalar(
        select(TargetSet).where(TargetSet.year_id == year_id, TargetSet.agency_id == agency.id)
    )
    target = target_set.targets[1]
    visit = verification.record_visit(
        session,
        supervisor,
        agency,
        year,
        visited_on=today - dt.timedelta(days=2),
        people="市委编办 王科长、赵干事",
        methods=["documents", "observation"],
        summary="现场查看整改台账，抽查两项目标的佐证材料。",
        findings={target.id: "自评分偏高：量化指标仅完成八成。"},
        today=today,
    )
    verification.adjust_score(
        session,
        supervisor,
        target,
        adjusted_score=Decimal("70.0"),
        reason="量化指标仅完成八成，按评价标准调整自评分。",
        visit=visit,
    )
    session.commit()
    scores.compute_run(session, supervisor, year, today)
    # Agencies' leaders may object for two weeks once a run is published (the walk: the
    # supervisor publishes run 2, fgw-leader objects, the supervisor decides).
    year.config = {**year.config, "objection_closes": (today + dt.timedelta(days=14)).isoformat()}
    session.commit()
    logger.info("demo year scored: two runs; objections accepted for 14 days after publishing")
