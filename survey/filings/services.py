"""Drafting and submitting filings. The editor drafts; the leader submits (sign-off, 第十七条);
a submitted filing is locked. Summaries are accepted only inside the year's window."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.accounts.models import User
from survey.agencies.models import Agency
from survey.auditing import audited, record
from survey.db import utcnow
from survey.errors import DomainError, check_revision
from survey.evidence.models import EvidenceOwner
from survey.evidence.services import attach
from survey.filings.models import Filing, FilingKind
from survey.years.config import window_dates
from survey.years.models import AssessmentYear

FILING_FIELDS = ("text", "special_plans", "submitted_at")


def filing_of(session: Session, agency: Agency, year: AssessmentYear, kind: FilingKind):
    return session.scalar(
        select(Filing).where(
            Filing.agency_id == agency.id, Filing.year_id == year.id, Filing.kind == kind
        )
    )


def window(year: AssessmentYear, kind: FilingKind) -> tuple[dt.date, dt.date] | None:
    """The days a summary is accepted; the work plan has no window."""
    if kind is FilingKind.work_plan:
        return None
    return window_dates(year.config, kind.value, year.year)


def save_filing(
    session: Session,
    actor: User,
    agency: Agency,
    year: AssessmentYear,
    kind: FilingKind,
    *,
    text: str,
    special_plans: str,
    files: list[tuple[str, bytes]],
    revision: int | None,
) -> Filing:
    year.require_editable()
    if kind is not FilingKind.work_plan:
        special_plans = ""
    filing = filing_of(session, agency, year, kind)
    if filing is None:
        filing = Filing(
            agency_id=agency.id,
            year_id=year.id,
            kind=kind,
            text=text.strip(),
            special_plans=special_plans.strip(),
            updated_by_id=actor.id,
        )
        session.add(filing)
        session.flush()
        record(
            session,
            actor,
            "filing.create",
            filing,
            jurisdiction_id=agency.jurisdiction_id,
            after={"kind": kind, "text": filing.text, "special_plans": filing.special_plans},
        )
    else:
        if filing.is_submitted:
            raise DomainError(_l("This filing has been submitted and is locked."))
        check_revision(filing, revision)
        with audited(
            session,
            actor,
            "filing.update",
            filing,
            FILING_FIELDS,
            jurisdiction_id=agency.jurisdiction_id,
        ):
            filing.text = text.strip()
            filing.special_plans = special_plans.strip()
            filing.updated_by_id = actor.id
            filing.updated_at = utcnow()
            session.flush()
    attach(session, actor, agency, EvidenceOwner.filing, filing.id, files)
    return filing


def submit_filing(
    session: Session, leader: User, filing: Filing, *, revision: int | None, today: dt.date
) -> None:
    leader.require_leader()
    filing.year.require_editable()
    check_revision(filing, revision)
    days = window(filing.year, filing.kind)
    if days is not None and not days[0] <= today <= days[1]:
        raise DomainError(
            _l(
                "%(kind)s is accepted from %(opens)s to %(closes)s.",
                kind=filing.kind.label,
                opens=days[0].isoformat(),
                closes=days[1].isoformat(),
            )
        )
    with audited(
        session,
        leader,
        "filing.submit",
        filing,
        FILING_FIELDS,
        jurisdiction_id=filing.agency.jurisdiction_id,
    ):
        filing.submit(leader)
        session.flush()
