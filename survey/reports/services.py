"""Writing the 意见建议, building and storing documents, and an agency's 签收.

A build is made from a run in memory, its bytes written once under their SHA-256 in the
instance folder (the evidence files' content-addressed store: same bytes, one file), and a
row records who built it, when, from which run and advice, and the hash. Nothing is ever
rebuilt in place: building again adds a build; an earlier one downloads unchanged."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from survey.auditing import record
from survey.errors import DomainError
from survey.evidence import storage
from survey.reports import facts as report_facts
from survey.reports import feedback, supervision
from survey.reports.models import (
    DOCX,
    ZIP,
    BuildKind,
    FeedbackReceipt,
    ReportAdvice,
    ReportBuild,
)
from survey.scores.models import ScoringRun

logger = logging.getLogger(__name__)
MAX_ADVICE = 20000


def latest_advice(session: Session, year_id: int) -> ReportAdvice | None:
    return session.scalar(
        select(ReportAdvice)
        .where(ReportAdvice.year_id == year_id)
        .order_by(ReportAdvice.id.desc())
        .limit(1)
    )


def save_advice(session: Session, actor, year, text: str) -> ReportAdvice:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise DomainError(_l("Write the 意见建议 before saving."))
    if len(text) > MAX_ADVICE:
        raise DomainError(_l("The 意见建议 are longer than %(n)d characters.", n=MAX_ADVICE))
    current = latest_advice(session, year.id)
    if current is not None and current.text == text:
        raise DomainError(_l("Nothing changed since the last saved version."))
    advice = ReportAdvice(
        year_id=year.id, text=text, written_by_id=actor.id if actor is not None else None
    )
    session.add(advice)
    record(
        session,
        actor,
        "reports.advice",
        advice,
        jurisdiction_id=year.jurisdiction_id,
        after={"characters": len(text), "previous": current.id if current else None},
    )
    return advice


def _store(
    session: Session, actor, run: ScoringRun, kind: BuildKind, name: str, data: bytes, **refs
) -> ReportBuild:
    stored = storage.StoredFile(
        name, ZIP if name.endswith(".zip") else DOCX, len(data), hashlib.sha256(data).hexdigest()
    )
    storage.write(stored, data)
    build = ReportBuild(
        year_id=run.year_id,
        run_id=run.id,
        kind=kind,
        draft=not refs.pop("final"),
        filename=stored.filename,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        built_by_id=actor.id if actor is not None else None,
        **refs,
    )
    session.add(build)
    return build


def _gather(session: Session, run: ScoringRun, today: dt.date) -> report_facts.ReportFacts:
    if run.year.state.value == "draft":
        raise DomainError(_l("Open the year before building its documents."))
    return report_facts.gather(session, run, today)


def build_supervision(session: Session, actor, run: ScoringRun, today: dt.date) -> ReportBuild:
    advice = latest_advice(session, run.year_id)
    if advice is None:
        raise DomainError(_l("Write the 意见建议 first: the report's fourth part is yours."))
    with force_locale("zh_Hans_CN"):
        facts = _gather(session, run, today)
        data = supervision.build(facts, advice.text)
    name = f"{facts.jurisdiction}{facts.year.year}年度监管情况报告-第{run.number}次运行.docx"
    build = _store(
        session, actor, run, BuildKind.supervision, name, data,
        advice_id=advice.id, final=facts.is_final,
    )  # fmt: skip
    _audit(session, actor, build, facts)
    logger.info("supervision report of run %s built (%d bytes)", run.id, len(data))
    return build


@dataclass
class FeedbackBuilds:
    sheets: list[ReportBuild]
    composed: ReportBuild | None
    zipped: ReportBuild | None


def build_feedback(
    session: Session, actor, run: ScoringRun, today: dt.date, *, agency_id: int | None = None
) -> FeedbackBuilds:
    """One agency's sheet, or every agency's sheet plus the composed document and the zip."""
    with force_locale("zh_Hans_CN"):
        facts = _gather(session, run, today)
        agencies = [a for a in facts.agencies if agency_id is None or a["agency_id"] == agency_id]
        if not agencies:
            raise DomainError(_l("The run has no such agency."))
        sheets = feedback.Sheets(facts)
        sheets.draw_profiles(agencies)
        built = {a["agency_id"]: sheets.build(a) for a in agencies}
        rows = [
            _store(
                session,
                actor,
                run,
                BuildKind.feedback,
                feedback.filename(facts, a),
                built[a["agency_id"]],
                agency_id=a["agency_id"],
                final=facts.is_final,
            )  # fmt: skip
            for a in agencies
        ]
        together = archive = None
        if agency_id is None:
            stem = f"{facts.year.year}年度评价结果反馈单-第{run.number}次运行"
            together = _store(
                session, actor, run, BuildKind.feedback_all, f"{stem}.docx",
                feedback.composed(sheets, agencies), final=facts.is_final,
            )  # fmt: skip
            archive = _store(
                session, actor, run, BuildKind.feedback_zip, f"{stem}.zip",
                feedback.zipped(sheets, agencies, built), final=facts.is_final,
            )  # fmt: skip
    session.flush()
    _audit(session, actor, together or rows[0], facts, sheets=len(rows))
    logger.info("%d feedback sheets of run %s built", len(rows), run.id)
    return FeedbackBuilds(rows, together, archive)


def _audit(session: Session, actor, build: ReportBuild, facts, **extra) -> None:
    record(
        session,
        actor,
        f"reports.build_{build.kind.value}",
        build,
        jurisdiction_id=facts.year.jurisdiction_id,
        after={
            "run": facts.run.number,
            "sha256": build.sha256,
            "draft": build.draft,
            "agency_id": build.agency_id,
            **extra,
        },
    )


def receipt_of(session: Session, build_id: int) -> FeedbackReceipt | None:
    return session.scalar(select(FeedbackReceipt).where(FeedbackReceipt.build_id == build_id))


def acknowledge(session: Session, actor, build: ReportBuild) -> FeedbackReceipt:
    """The agency's 签收 of its own sheet: once; who and when are recorded."""
    if build.kind is not BuildKind.feedback or build.agency_id != actor.agency_id:
        raise DomainError(_l("Only your own agency's feedback sheet can be acknowledged."))
    if receipt_of(session, build.id) is not None:
        raise DomainError(_l("This feedback sheet has already been acknowledged."))
    receipt = FeedbackReceipt(
        build_id=build.id, agency_id=build.agency_id, acknowledged_by_id=actor.id
    )
    try:
        with session.begin_nested():
            session.add(receipt)
            session.flush()
    except IntegrityError:  # acknowledged at the same moment by a colleague
        raise DomainError(_l("This feedback sheet has already been acknowledged.")) from None
    record(
        session,
        actor,
        "reports.acknowledge",
        receipt,
        jurisdiction_id=build.year.jurisdiction_id,
        after={"build_id": build.id, "sha256": build.sha256},
    )
    return receipt
