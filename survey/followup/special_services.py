"""Opening, recording and concluding special-supervision cases (专项监管, 第十三条). The
deadline is 60 working days after the start day on the office's calendar."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.agencies.models import Agency, Jurisdiction
from survey.audit.services import record
from survey.clock import beijing_today
from survey.errors import DomainError
from survey.followup.services import required_text
from survey.followup.special import (
    CASE_WORKING_DAYS,
    CaseFinding,
    CaseOrigin,
    CaseState,
    SpecialCase,
)
from survey.workdays.arithmetic import YearNotHeld
from survey.workdays.queries import calendar_around

logger = logging.getLogger(__name__)


def open_case(
    session: Session,
    actor,
    jurisdiction: Jurisdiction,
    *,
    matter: str,
    origin,
    agencies: list[Agency],
    start_on: dt.date,
    description: str = "",
    procedure: str = "一事一办",
) -> SpecialCase:
    try:
        origin = CaseOrigin(origin)
    except ValueError as exc:
        raise DomainError(_l("Choose how the case arose.")) from exc
    if not agencies:
        raise DomainError(_l("Choose at least one agency concerned."))
    if any(agency.jurisdiction_id != jurisdiction.id for agency in agencies):
        raise DomainError(_l("Every agency concerned must belong to the case's jurisdiction."))
    if start_on is None:
        raise DomainError(_l("Give the start date."))
    due_on = calendar_around(session, start_on).add_working_days(start_on, CASE_WORKING_DAYS)
    case = SpecialCase(
        jurisdiction_id=jurisdiction.id,
        matter=required_text(matter, _l("Name the matter."))[:200],
        description=(description or "").strip(),
        origin=origin,
        procedure=(procedure or "一事一办").strip()[:100],
        start_on=start_on,
        due_on=due_on,
        opened_by_id=actor.id,
    )
    case.agencies.extend(agencies)
    session.add(case)
    session.flush()
    record(
        session,
        actor,
        "special.open",
        case,
        jurisdiction_id=jurisdiction.id,
        after={
            "matter": case.matter,
            "origin": origin,
            "procedure": case.procedure,
            "start_on": start_on,
            "due_on": due_on,
            "agency_ids": [agency.id for agency in agencies],
        },
    )
    logger.info("%s opened special case %s", actor.username, case.id)
    return case


def _open(case: SpecialCase) -> None:
    if case.state is not CaseState.open:
        raise DomainError(_l("The case is concluded; nothing more can be recorded."))


def record_finding(session: Session, actor, case: SpecialCase, agency: Agency, text: str):
    _open(case)
    if agency not in case.agencies:
        raise DomainError(_l("The agency is not concerned by this case."))
    finding = CaseFinding(
        case_id=case.id,
        agency_id=agency.id,
        text=required_text(text, _l("Describe the finding.")),
        recorded_by_id=actor.id,
    )
    session.add(finding)
    record(
        session,
        actor,
        "special.finding",
        finding,
        jurisdiction_id=case.jurisdiction_id,
        after={"case_id": case.id, "agency_id": agency.id, "text": finding.text},
    )
    return finding


def conclude(session: Session, actor, case: SpecialCase, conclusion: str, *, today=None):
    _open(case)
    case.conclusion = required_text(conclusion, _l("Write the conclusion."))
    case.state = CaseState.concluded
    case.concluded_on = today or beijing_today()
    record(
        session,
        actor,
        "special.conclude",
        case,
        jurisdiction_id=case.jurisdiction_id,
        before={"state": CaseState.open},
        after={"state": case.state, "conclusion": case.conclusion, "on": case.concluded_on},
    )
    return case


@dataclass(frozen=True)
class CaseRow:
    case: SpecialCase
    days_left: int | None
    overdue: bool
    provisional: bool


def case_rows(session: Session, jurisdiction_ids, today: dt.date) -> list[CaseRow]:
    cases = session.scalars(
        select(SpecialCase)
        .where(SpecialCase.jurisdiction_id.in_(list(jurisdiction_ids)))
        .order_by(SpecialCase.due_on, SpecialCase.id)
    )
    calendar = calendar_around(session, today)
    rows = []
    for case in cases:
        running = case.state is CaseState.open
        try:
            left = calendar.count_working_days(today, case.due_on) if running else None
        except YearNotHeld:
            left = None
        rows.append(
            CaseRow(
                case,
                left,
                running and today > case.due_on,
                calendar.is_provisional(case.due_on),
            )
        )
    return rows
