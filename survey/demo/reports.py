"""The demo year's documents: the office's 意见建议 and, from the latest run, the supervision
report and every agency's feedback sheet — so 市发改委's leader (fgw-leader) finds its sheet
to download and acknowledge, and the office can edit the 意见建议 and build again."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.clock import beijing_today
from survey.reports import services
from survey.scores.queries import runs_of
from survey.years.models import AssessmentYear

logger = logging.getLogger(__name__)

ADVICE = """（一）压实职能目标管理责任
各单位要对照年度职能目标逐项明确责任科室、责任人和完成时限，对逾期和未完成的目标限期补正，年底前完成全部整改。
（二）着力解决越位、缺位、错位问题
对实地核查发现的职责履行问题，由相关单位制定整改方案，市委编办跟踪督办，必要时依法依规调整职责。
（三）提高社会评价的代表性
扩大两代表一委员和基层部门的参评范围，对有效问卷不足的单位增发邀请码，确保每个单位各维度都有充足的评价依据。
（四）强化评价结果运用
评价结果作为机构编制资源配置和干部考核的重要参考，对连续两年评为较差的单位进行约谈。"""


def build(session: Session, year_id: int) -> None:
    """Advice, report and sheets from the year's latest run (committed)."""
    year = session.get(AssessmentYear, year_id)
    supervisor = session.scalar(select(User).where(User.username == "bianban"))
    run = runs_of(session, year.id)[0]
    services.save_advice(session, supervisor, year, ADVICE)
    session.commit()
    today = beijing_today()
    services.build_supervision(session, supervisor, run, today)
    services.build_feedback(session, supervisor, run, today)
    session.commit()
    logger.info("demo report and feedback sheets built from run %s", run.number)
