"""Publishing a run to the agencies, their objections (复核申请) and the supervisor's decisions,
and the rule finalisation follows once a year has published: the objection window the year
sets has closed and every objection is decided.

Every step is one transaction (the caller commits) and is written to the audit log.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.audit.services import record
from survey.errors import DomainError
from survey.evidence.models import EvidenceOwner
from survey.evidence.services import attach
from survey.results.models import (
    Objection,
    ObjectionDecision,
    ObjectionSubject,
    Outcome,
    RunPublication,
)
from survey.scores.models import ScoringResult, ScoringRun
from survey.years.config import objection_closes
from survey.years.models import AssessmentYear, YearState

MAX_REASON = 4000


def latest_publication(session: Session, year_id: int) -> RunPublication | None:
    return session.scalar(
        select(RunPublication)
        .where(RunPublication.year_id == year_id)
        .order_by(RunPublication.id.desc())
        .limit(1)
    )


def publication_of(session: Session, run_id: int) -> RunPublication | None:
    return session.scalar(select(RunPublication).where(RunPublication.run_id == run_id))


def window_closes(year: AssessmentYear) -> dt.date | None:
    return objection_closes(year.settings)


def window_open(year: AssessmentYear, today: dt.date) -> bool:
    closes = window_closes(year)
    return closes is not None and today <= closes


def publish(session: Session, actor, run: ScoringRun, today: dt.date) -> RunPublication:
    year = run.year
    if year.state is not YearState.open:
        raise DomainError(_l("Only a run of an open year can be published."))
    if publication_of(session, run.id) is not None:
        raise DomainError(_l("This run has already been published."))
    closes = window_closes(year)
    if closes is None:
        raise DomainError(_l("Set the last day for objections on the year page before publishing."))
    if closes < today:
        raise DomainError(
            _l(
                "The objection window closed on %(day)s: set a later day on the year page.",
                day=closes.isoformat(),
            )
        )
    before = latest_publication(session, year.id)
    publication = RunPublication(run_id=run.id, year_id=year.id, published_by_id=actor.id)
    session.add(publication)
    record(
        session,
        actor,
        "results.publish",
        run,
        jurisdiction_id=year.jurisdiction_id,
        before={"published_run": before.run.number if before else None},
        after={
            "published_run": run.number,
            "objections_until": closes.isoformat(),
            "result_checksum": run.result_checksum,
        },
    )
    return publication


def own_result(session: Session, run_id: int, agency_id: int) -> ScoringResult | None:
    return session.scalar(
        select(ScoringResult).where(
            ScoringResult.run_id == run_id, ScoringResult.agency_id == agency_id
        )
    )


def file_objection(
    session: Session,
    actor,
    run: ScoringRun,
    *,
    subject: str,
    reason: str,
    today: dt.date,
    files: list[tuple[str, bytes]] | None = None,
) -> Objection:
    """An agency leader objects to one part of the agency's published result."""
    agency = actor.agency
    if not actor.role.is_agency_role or agency is None:
        raise DomainError(_l("Only an agency's leader may file an objection."))
    if actor.role.value != "agency_leader":
        raise DomainError(_l("Only the agency's leader may file an objection."))
    year = run.year
    latest = latest_publication(session, year.id)
    if latest is None or latest.run_id != run.id:
        raise DomainError(_l("Objections are filed against the latest published result."))
    if not window_open(year, today):
        raise DomainError(_l("The period for objections has ended."))
    if own_result(session, run.id, agency.id) is None:
        raise DomainError(_l("This result does not include your agency."))
    try:
        chosen = ObjectionSubject(subject)
    except ValueError:
        raise DomainError(_l("Choose what the objection is about.")) from None
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for the objection."))
    if len(reason) > MAX_REASON:
        raise DomainError(_l("Keep the reason under %(n)d characters.", n=MAX_REASON))
    objection = Objection(
        run_id=run.id,
        year_id=year.id,
        agency_id=agency.id,
        subject=chosen,
        reason=reason,
        filed_by_id=actor.id,
    )
    session.add(objection)
    session.flush()
    attached = attach(session, actor, agency, EvidenceOwner.objection, objection.id, files or [])
    record(
        session,
        actor,
        "results.object",
        objection,
        jurisdiction_id=year.jurisdiction_id,
        after={
            "run": run.number,
            "subject": chosen.value,
            "reason": reason,
            "files": [f.filename for f in attached],
        },
    )
    return objection


def decide(
    session: Session, actor, objection: Objection, *, outcome: str, reason: str, correction: str
) -> ObjectionDecision:
    """Accept (naming the correction made, which a new run takes in) or reject, with reason."""
    year = session.get(AssessmentYear, objection.year_id)
    if not year.is_editable:
        raise DomainError(_l("A closed year cannot be changed."))
    if objection.decision is not None:
        raise DomainError(_l("This objection has already been decided."))
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise DomainError(_l("Choose to accept or to reject the objection.")) from None
    reason, correction = (reason or "").strip(), (correction or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for the decision; the agency reads it."))
    if chosen is Outcome.accepted and not correction:
        raise DomainError(
            _l("Say what was corrected (a bonus or deduction item, a score adjustment, a flag).")
        )
    decision = ObjectionDecision(
        objection_id=objection.id,
        outcome=chosen,
        reason=reason,
        correction=correction[:300],
        decided_by_id=actor.id,
    )
    session.add(decision)
    record(
        session,
        actor,
        "results.decide",
        objection,
        jurisdiction_id=year.jurisdiction_id,
        after={"outcome": chosen.value, "reason": reason, "correction": correction},
    )
    return decision


def objections_of_year(session: Session, year_id: int) -> list[Objection]:
    return list(
        session.scalars(
            select(Objection).where(Objection.year_id == year_id).order_by(Objection.id)
        )
    )


def objections_of_agency(session: Session, year_id: int, agency_id: int) -> list[Objection]:
    return list(
        session.scalars(
            select(Objection)
            .where(Objection.year_id == year_id, Objection.agency_id == agency_id)
            .order_by(Objection.id)
        )
    )


def finalise_problem(session: Session, run: ScoringRun, today: dt.date) -> str | None:
    """Once a year has published, a run is finalised only after the objection window has
    closed and every objection has been decided (survey.scores asks before finalising)."""
    if latest_publication(session, run.year_id) is None:
        return None
    closes = window_closes(run.year)
    if closes is not None and today <= closes:
        return str(
            _l(
                "Objections are accepted until %(day)s: finalise after that day.",
                day=closes.isoformat(),
            )
        )
    open_ones = [o for o in objections_of_year(session, run.year_id) if o.decision is None]
    if open_ones:
        return str(_l("%(n)d objection(s) still wait for a decision.", n=len(open_ones)))
    return None
