"""Computing, storing and finalising scoring runs; recording 加减分 items.

``compute_run`` reads every input in one read-only transaction (``inputs.begin_read_only``),
ends it, calls the engine, and adds the run in the caller's next transaction: the view or
command commits once. A run is never changed; a final mark is a row of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import metadata, resources

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.audit.services import record
from survey.errors import DomainError
from survey.evidence.models import EvidenceOwner
from survey.evidence.services import attach
from survey.scores import compute, inputs
from survey.scores.models import RunFinalisation, ScoreItem, ScoringResult, ScoringRun
from survey.years.models import AssessmentYear, YearState
from survey.years.standards import standards_of

logger = logging.getLogger(__name__)


class RunRefused(DomainError):
    """A run cannot be computed; ``problems`` names each thing missing."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0])
        self.problems = problems


@cache
def engine_version() -> str:
    """The package version and a digest of the engine's source: a run names the exact code."""
    digest = hashlib.sha256()
    folder = resources.files("analysis")
    for name in sorted(p.name for p in folder.iterdir() if p.name.endswith(".py")):
        digest.update(name.encode())
        digest.update(folder.joinpath(name).read_bytes())
    return f"{metadata.version('survey')}+{digest.hexdigest()[:12]}"


def canonical_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def compute_run(
    session: Session, actor, year: AssessmentYear, as_of: dt.date, *, workers: int | None = None
) -> ScoringRun:
    if year.state is YearState.closed:
        raise DomainError(_l("The year is closed: its final run can no longer be superseded."))
    if year.state is YearState.draft:
        raise DomainError(_l("Open the year before computing its scores."))
    year_id = year.id
    inputs.begin_read_only(session)
    try:
        year = session.get(AssessmentYear, year_id)
        config = year.settings
        gathered = inputs.gather(session, year, as_of)
    finally:
        session.rollback()  # the read-only snapshot ends here
    checksums, counts = gathered.checksums(), gathered.counts()
    try:
        engine = compute.checked_engine_config(config)
        document = compute.compute(gathered, config, engine, workers=workers)
    except compute.NothingToScore as refused:
        raise RunRefused(refused.problems) from None
    standards = standards_of(config)
    checksums["settings"] = hashlib.sha256(
        canonical_json({"engine": engine.to_dict(), "standards": standards}).encode()
        + as_of.isoformat().encode()
    ).hexdigest()
    results = canonical_json(document)
    year = session.get(AssessmentYear, year_id)
    number = (
        session.scalar(select(func.max(ScoringRun.number)).where(ScoringRun.year_id == year_id))
        or 0
    ) + 1
    run = ScoringRun(
        year_id=year_id,
        number=number,
        as_of=as_of,
        created_by_id=actor.id if actor is not None else None,
        engine_version=engine_version(),
        configuration=engine.to_json(),
        standards=standards,
        input_counts=counts,
        source_checksums=checksums,
        input_checksum=hashlib.sha256(canonical_json(checksums).encode()).hexdigest(),
        result_checksum=hashlib.sha256(results.encode()).hexdigest(),
        results=results,
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:  # another run of the year took this number since we counted
        raise DomainError(
            _l("Another run of this year was computed at the same moment. Try again.")
        ) from None
    session.add_all(_result_rows(run, document))
    record(
        session,
        actor,
        "scores.compute",
        run,
        jurisdiction_id=year.jurisdiction_id,
        after={"year": year.year, "number": number, "input_checksum": run.input_checksum},
    )
    logger.info("scoring run %s of year %s computed by %s", number, year_id, _who(actor))
    return run


def _who(actor) -> str:
    return actor.username if actor is not None else "the command line"


def _result_rows(run: ScoringRun, document: dict) -> list[ScoringResult]:
    rows = []
    for agency in document["agencies"]:
        dims = agency["dimensions"]
        rows.append(
            ScoringResult(
                run_id=run.id,
                agency_id=agency["agency_id"],
                kind=agency["kind"],
                comprehensiveness=dims["comprehensiveness"]["score"],
                timeliness=dims["timeliness"]["score"],
                effectiveness=dims["effectiveness"]["score"],
                cooperation=dims["cooperation"]["score"],
                adjustment=agency["adjustment"],
                composite=agency["composite"],
                composite_low=agency["composite_low"],
                composite_high=agency["composite_high"],
                ranked=agency["ranked"],
                rank=agency["rank"],
                rank_low=agency["rank_low"],
                rank_high=agency["rank_high"],
                band=agency["band"],
                borderline=agency["borderline"],
                not_rated=agency["not_rated"],
            )
        )
    return rows


def final_run(session: Session, year_id: int) -> ScoringRun | None:
    mark = session.scalar(
        select(RunFinalisation)
        .where(RunFinalisation.year_id == year_id)
        .order_by(RunFinalisation.id.desc())
        .limit(1)
    )
    return mark.run if mark is not None else None


def finalise(
    session: Session, actor, run: ScoringRun, checks=(), today: dt.date | None = None
) -> RunFinalisation:
    """``checks``: rules of higher features (e.g. the objection window after publication),
    each ``check(session, run, today)`` returning a message that refuses, or None."""
    year = run.year
    if year.state is not YearState.open:
        raise DomainError(_l("Only a run of an open year can be marked final."))
    for check in checks:
        problem = check(session, run, today)
        if problem:
            raise DomainError(problem)
    current = final_run(session, year.id)
    if current is not None and current.id == run.id:
        raise DomainError(_l("This run is already the final one."))
    mark = RunFinalisation(run_id=run.id, year_id=year.id, finalised_by_id=actor.id)
    session.add(mark)
    record(
        session,
        actor,
        "scores.finalise",
        run,
        jurisdiction_id=year.jurisdiction_id,
        before={"final_run": current.number if current else None},
        after={"final_run": run.number, "result_checksum": run.result_checksum},
    )
    return mark


def year_close_problem(session: Session, year: AssessmentYear) -> str | None:
    """Closing a year needs a final run (survey.years.services asks before closing)."""
    if final_run(session, year.id) is None:
        return str(_l("Mark a scoring run final before closing the year."))
    return None


def _points(text: str) -> Decimal:
    try:
        points = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_l("Give the points as a number, e.g. 2 or -1.5.")) from None
    if not points.is_finite() or points == 0 or abs(points) > 20:
        raise DomainError(_l("Points must be between −20 and 20 and not 0."))
    if points != points.quantize(Decimal("0.01")):
        raise DomainError(_l("Points have at most two decimals."))
    return points


def add_item(
    session: Session,
    actor,
    year: AssessmentYear,
    agency,
    *,
    points,
    reason: str,
    basis: str,
    files: list[tuple[str, bytes]] | None = None,
) -> ScoreItem:
    """Record a 加减分 item with the document it rests on and, optionally, evidence files
    (checked like every evidence file; a bad one refuses the item)."""
    if not year.is_editable:
        raise DomainError(_l("A closed year cannot be changed."))
    if agency.jurisdiction_id != year.jurisdiction_id or agency.is_deleted:
        raise DomainError(_l("Choose an agency of the year's jurisdiction."))
    if not reason.strip():
        raise DomainError(_l("Give the reason for the item."))
    item = ScoreItem(
        year_id=year.id,
        agency_id=agency.id,
        points=_points(points),
        reason=reason.strip(),
        basis=basis.strip(),
        approved_by_id=actor.id,
    )
    session.add(item)
    session.flush()
    attached = attach(session, actor, agency, EvidenceOwner.score_item, item.id, files or [])
    record(
        session,
        actor,
        "scores.item_add",
        item,
        jurisdiction_id=year.jurisdiction_id,
        after={
            "agency_id": agency.id,
            "points": item.points,
            "reason": item.reason,
            "files": [f.filename for f in attached],
        },
    )
    return item


def reverse_item(session: Session, actor, item: ScoreItem, *, reason: str) -> ScoreItem:
    year = session.get(AssessmentYear, item.year_id)
    if not year.is_editable:
        raise DomainError(_l("A closed year cannot be changed."))
    if item.reverses_id is not None:
        raise DomainError(_l("A reversal cannot itself be reversed; add a new item instead."))
    if not reason.strip():
        raise DomainError(_l("Give the reason for the reversal."))
    taken = session.scalar(select(ScoreItem.id).where(ScoreItem.reverses_id == item.id))
    if taken is not None:
        raise DomainError(_l("This item has already been reversed."))
    reversal = ScoreItem(
        year_id=item.year_id,
        agency_id=item.agency_id,
        points=-item.points,
        reason=reason.strip(),
        basis=item.basis,
        approved_by_id=actor.id,
        reverses_id=item.id,
    )
    session.add(reversal)
    record(
        session,
        actor,
        "scores.item_reverse",
        reversal,
        jurisdiction_id=year.jurisdiction_id,
        after={"reverses": item.id, "reason": reversal.reason},
    )
    return reversal
